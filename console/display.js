// Night display (the default: a dark control room, a patrol car after dark) or day display (an
// MDT in full sun, where the dark page washes out). The choice is the workstation's, kept in
// localStorage across sign-outs like the alert sound, since it suits the place, not the person.

/** display-first.js reads it too, before the page is drawn. */
const SETTING_KEY = 'platewatch.display';

function stored() {
  try {
    return localStorage.getItem(SETTING_KEY) === 'day';
  } catch {
    return false;
  }
}

/**
 * Applies the workstation's choice and lets each of `buttons` (named "Day display", aria-pressed)
 * change it: the bar's, and the sign-in prompt's, since the prompt over a locked page hides the bar.
 */
export function initDisplay(...buttons) {
  let day = stored();
  const apply = () => {
    if (day) document.documentElement.dataset.theme = 'day';
    else delete document.documentElement.dataset.theme;
    for (const button of buttons) {
      button.setAttribute('aria-pressed', String(day));
      button.textContent = `Day display: ${day ? 'on' : 'off'}`;
    }
  };
  apply();
  const toggle = () => {
    day = !day;
    try {
      localStorage.setItem(SETTING_KEY, day ? 'day' : 'night');
    } catch {
      // Storage refused (a locked-down browser): the choice holds for this page only.
    }
    apply();
  };
  for (const button of buttons) button.addEventListener('click', toggle);
}
