// Run before the page is drawn (a classic script in <head>, not a module): a workstation set to
// the day display shows the light page from the start, not a dark one until the console's modules
// have loaded (QA). display.js, which keeps the same setting, does the rest.
try {
  if (localStorage.getItem('platewatch.display') === 'day') document.documentElement.dataset.theme = 'day';
} catch {
  // Storage refused: the night display, as display.js then starts with.
}
