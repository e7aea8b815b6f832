// Text from cameras, files and other users, made safe to print to an operator's terminal. A read
// id or a bad line is the sender's own bytes; printed raw, an escape sequence in it can recolour,
// retitle or rewrite the operator's terminal (found by QA: binary read lines were echoed raw).
import { controlsShown } from '../storage/control-text.js';

/** `text` with control characters (C0 but tab, DEL, C1, bidirectional overrides) shown as `\xNN` or `\uNNNN` escapes. */
export function terminalText(text: string): string {
  return controlsShown(text);
}
