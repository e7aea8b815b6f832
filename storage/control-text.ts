// Text that people and devices typed, with its control characters shown rather than obeyed: the
// one definition for files (the audit memorandum, the transparency report) and for an operator's
// terminal (bin/terminal-text.ts). A NUL or an escape sequence typed into a reason must not reach
// a file that `cat` prints, nor a terminal (found by QA, several times over).

/**
 * C0 controls but tab (and `keep`, such as a newline where a format takes one), DEL, C1 (0x9b
 * opens a terminal control sequence too), the Unicode line and paragraph separators, and the
 * bidirectional controls (they reorder what a reader sees): the embeddings, overrides and
 * isolates, and the marks — left-to-right, right-to-left and Arabic letter mark — which reorder
 * the text around them as well (found by an assessor).
 */
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `text` with its control characters shown as `\xNN` or `\uNNNN` escapes; tab is kept, and the characters in `keep`. */
export function controlsShown(text: string, keep = ''): string {
  return text.replace(CONTROL, (c) => {
    if (keep.includes(c)) return c;
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
