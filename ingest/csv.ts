// RFC 4180 record reader: quoted fields, doubled quotes, CRLF or LF, a UTF-8 BOM, blank lines
// skipped. It knows nothing of hot lists; it hands out records with the physical line each began on,
// so an operator can open the file at the line a report names.

export type CsvRecord =
  | { kind: 'record'; line: number; fields: string[] }
  /** A record that cannot be split into fields; the reader has skipped to the next line. */
  | { kind: 'malformed'; line: number; reason: string }
  /** A quote opened and never closed: everything after it is one field, so nothing after it can be trusted. */
  | { kind: 'unterminated'; line: number; reason: string };

const QUOTE = 0x22;
const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;
const SPACE = 0x20;
const TAB = 0x09;
const BOM = 0xfeff;

/**
 * True when text read as UTF-8 was not UTF-8: the decoder puts U+FFFD for each byte it cannot read
 * (a Windows-1252 or Latin-1 export, such as Excel's plain "CSV"), and UTF-16 text has NULs.
 * Such a value is garbled, so a row holding one is rejected rather than loaded as it reads.
 */
export function isNotUtf8Text(text: string): boolean {
  return text.includes('\uFFFD') || text.includes('\u0000');
}

export const NOT_UTF8_REASON = 'holds bytes that are not UTF-8 text; save the file as UTF-8 (in Excel: "CSV UTF-8")';

export class CsvReader {
  private readonly text: string;
  private pos: number;
  /** Physical line (1-based) the cursor is on. */
  private line = 1;

  constructor(text: string) {
    this.text = text;
    this.pos = text.charCodeAt(0) === BOM ? 1 : 0;
  }

  /** The next non-blank record, or null at the end of the text. */
  next(): CsvRecord | null {
    this.skipBlankLines();
    if (this.pos >= this.text.length) return null;
    const text = this.text;
    const line = this.line;
    const fields: string[] = [];
    for (;;) {
      let value: string;
      if (text.charCodeAt(this.pos) === QUOTE) {
        const quoted = this.readQuoted();
        if (quoted === null) {
          this.pos = text.length;
          return { kind: 'unterminated', line, reason: `quoted field ${fields.length + 1} is never closed` };
        }
        value = quoted;
        const after = text.charCodeAt(this.pos);
        if (this.pos < text.length && after !== COMMA && after !== CR && after !== LF) {
          this.skipRestOfLine();
          return { kind: 'malformed', line, reason: `text after the closing quote of field ${fields.length + 1}` };
        }
      } else {
        value = this.readBare();
      }
      fields.push(value);
      if (this.pos < text.length && text.charCodeAt(this.pos) === COMMA) {
        this.pos++;
        continue;
      }
      this.consumeLineBreak();
      return { kind: 'record', line, fields };
    }
  }

  /** Reads an unquoted field up to a comma, a line break or the end; quotes inside it are literal. */
  private readBare(): string {
    const text = this.text;
    const start = this.pos;
    let i = start;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === COMMA || c === LF || c === CR) break;
    }
    this.pos = i;
    return text.slice(start, i);
  }

  /** Reads a quoted field starting at the opening quote; null when the quote never closes. */
  private readQuoted(): string | null {
    const text = this.text;
    let from = this.pos + 1;
    let value = '';
    for (;;) {
      const close = text.indexOf('"', from);
      if (close < 0) return null;
      this.countLines(from, close);
      value += text.slice(from, close);
      if (text.charCodeAt(close + 1) === QUOTE) {
        value += '"';
        from = close + 2;
        continue;
      }
      this.pos = close + 1;
      return value;
    }
  }

  /** Line breaks inside quoted fields still advance the physical line count. */
  private countLines(from: number, to: number): void {
    const text = this.text;
    for (let i = from; i < to; i++) {
      const c = text.charCodeAt(i);
      if (c === LF || (c === CR && text.charCodeAt(i + 1) !== LF)) this.line++;
    }
  }

  private consumeLineBreak(): void {
    const text = this.text;
    const c = text.charCodeAt(this.pos);
    if (c === CR) {
      this.pos += text.charCodeAt(this.pos + 1) === LF ? 2 : 1;
      this.line++;
    } else if (c === LF) {
      this.pos++;
      this.line++;
    }
  }

  private skipRestOfLine(): void {
    const text = this.text;
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos);
      if (c === LF || c === CR) break;
      this.pos++;
    }
    this.consumeLineBreak();
  }

  /** Lines that are empty or only spaces and tabs carry no record. */
  private skipBlankLines(): void {
    const text = this.text;
    for (;;) {
      let i = this.pos;
      while (i < text.length && (text.charCodeAt(i) === SPACE || text.charCodeAt(i) === TAB)) i++;
      const c = text.charCodeAt(i);
      if (i >= text.length) {
        this.pos = i;
        return;
      }
      if (c !== LF && c !== CR) return;
      this.pos = i;
      this.consumeLineBreak();
    }
  }
}
