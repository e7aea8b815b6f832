// Text from cameras, files and other users, made safe to print to an operator's terminal. A read
// id or a bad line is the sender's own bytes; printed raw, an escape sequence in it can recolour,
// retitle or rewrite the operator's terminal (found by QA: binary read lines were echoed raw).

/** `text` with control characters (C0 but tab, DEL, C1) shown as `\xNN` or `\uNNNN` escapes. */
export function terminalText(text: string): string {
  return text.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
