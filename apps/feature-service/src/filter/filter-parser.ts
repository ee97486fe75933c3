import type { ComparisonOp, FilterExpr } from './filter';

/** A filter text that does not follow the grammar; the message names the position (1-based column). */
export class FilterSyntaxError extends Error {
  override readonly name = 'FilterSyntaxError';
  constructor(
    message: string,
    /** 1-based column of the offending token. */
    readonly column: number,
  ) {
    super(message);
  }
}

type Token =
  | { readonly kind: 'ident'; readonly text: string; readonly column: number }
  | { readonly kind: 'keyword'; readonly text: 'and' | 'or' | 'not' | 'true' | 'false'; readonly column: number }
  | { readonly kind: 'number'; readonly value: number; readonly text: string; readonly column: number }
  | { readonly kind: 'string'; readonly value: string; readonly text: string; readonly column: number }
  | { readonly kind: 'op'; readonly text: ComparisonOp; readonly column: number }
  | { readonly kind: 'paren'; readonly text: '(' | ')'; readonly column: number }
  | { readonly kind: 'end'; readonly text: ''; readonly column: number };

const KEYWORDS = new Set(['and', 'or', 'not', 'true', 'false']);
const OPERATORS: readonly ComparisonOp[] = ['==', '!=', '<=', '>=', '<', '>'];
const NUMBER = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*/;

/**
 * Parses a row filter: comparisons `<field> <op> <literal>` (op one of == != < <= > >=;
 * literals are numbers, double-quoted strings with `\"` and `\\` escapes, true, false)
 * combined with `and`, `or`, `not` and parentheses; `not` binds tighter than `and`,
 * which binds tighter than `or`. Keywords are case-insensitive.
 * @throws FilterSyntaxError naming the column and what was expected.
 */
export function parseFilter(text: string): FilterExpr {
  const parser = new Parser(tokenize(text));
  const expr = parser.parseOr();
  parser.expectEnd();
  return expr;
}

/** The distinct field names a filter compares, in first-use order. */
export function filterFields(expr: FilterExpr): string[] {
  const fields: string[] = [];
  const visit = (node: FilterExpr): void => {
    if (node.kind === 'compare') {
      if (!fields.includes(node.field)) fields.push(node.field);
    } else if (node.kind === 'not') {
      visit(node.operand);
    } else {
      visit(node.left);
      visit(node.right);
    }
  };
  visit(expr);
  return fields;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < text.length) {
    const char = text[index] ?? '';
    const column = index + 1;
    const rest = text.slice(index);
    if (/\s/.test(char)) {
      index += 1;
    } else if (char === '(' || char === ')') {
      tokens.push({ kind: 'paren', text: char, column });
      index += 1;
    } else if (char === '"') {
      const { value, length } = readString(text, index);
      tokens.push({ kind: 'string', value, text: text.slice(index, index + length), column });
      index += length;
    } else if (OPERATORS.some((op) => rest.startsWith(op))) {
      const op = OPERATORS.find((candidate) => rest.startsWith(candidate)) as ComparisonOp;
      tokens.push({ kind: 'op', text: op, column });
      index += op.length;
    } else if (NUMBER.test(rest)) {
      const match = NUMBER.exec(rest)?.[0] ?? '';
      const value = Number(match);
      if (!Number.isFinite(value)) throw new FilterSyntaxError(`column ${column}: number ${match} is out of range`, column);
      tokens.push({ kind: 'number', value, text: match, column });
      index += match.length;
    } else if (IDENT.test(rest)) {
      const match = IDENT.exec(rest)?.[0] ?? '';
      const lower = match.toLowerCase();
      if (KEYWORDS.has(lower)) tokens.push({ kind: 'keyword', text: lower as 'and' | 'or' | 'not' | 'true' | 'false', column });
      else tokens.push({ kind: 'ident', text: match, column });
      index += match.length;
    } else {
      const hint = char === '=' ? ' (use == for equality)' : char === "'" ? ' (string literals use double quotes)' : char === '&' || char === '|' ? ' (use and / or)' : '';
      throw new FilterSyntaxError(`column ${column}: unexpected character "${char}"${hint}`, column);
    }
  }
  tokens.push({ kind: 'end', text: '', column: text.length + 1 });
  return tokens;
}

function readString(text: string, start: number): { value: string; length: number } {
  let value = '';
  let index = start + 1;
  while (index < text.length) {
    const char = text[index];
    if (char === '"') return { value, length: index - start + 1 };
    if (char === '\\') {
      const next = text[index + 1];
      if (next !== '"' && next !== '\\') throw new FilterSyntaxError(`column ${index + 1}: unknown escape "\\${next ?? ''}" in a string literal (only \\" and \\\\)`, index + 1);
      value += next;
      index += 2;
    } else {
      if (char === '\u0000') throw new FilterSyntaxError(`column ${index + 1}: NUL character in a string literal`, index + 1);
      value += char;
      index += 1;
    }
  }
  throw new FilterSyntaxError(`column ${start + 1}: unterminated string literal`, start + 1);
}

function describe(token: Token): string {
  return token.kind === 'end' ? 'the end of the filter' : `"${token.text}"`;
}

class Parser {
  private position = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  parseOr(): FilterExpr {
    let left = this.parseAnd();
    while (this.peekKeyword('or')) {
      this.position += 1;
      left = { kind: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  expectEnd(): void {
    const token = this.peek();
    if (token.kind !== 'end') throw this.error(token, `expected "and", "or" or the end of the filter, got ${describe(token)}`);
  }

  private parseAnd(): FilterExpr {
    let left = this.parseUnary();
    while (this.peekKeyword('and')) {
      this.position += 1;
      left = { kind: 'and', left, right: this.parseUnary() };
    }
    return left;
  }

  private parseUnary(): FilterExpr {
    if (this.peekKeyword('not')) {
      this.position += 1;
      return { kind: 'not', operand: this.parseUnary() };
    }
    const token = this.next();
    if (token.kind === 'paren' && token.text === '(') {
      const inner = this.parseOr();
      const close = this.next();
      if (close.kind !== 'paren' || close.text !== ')') throw this.error(close, `expected ")" to close the "(" at column ${token.column}, got ${describe(close)}`);
      return inner;
    }
    if (token.kind !== 'ident') throw this.error(token, `expected a field name, "not" or "(", got ${describe(token)}`);
    const op = this.next();
    if (op.kind !== 'op') throw this.error(op, `expected a comparison operator (== != < <= > >=) after "${token.text}", got ${describe(op)}`);
    const literal = this.next();
    if (literal.kind === 'number' || literal.kind === 'string') return { kind: 'compare', field: token.text, op: op.text, literal: literal.value };
    if (literal.kind === 'keyword' && (literal.text === 'true' || literal.text === 'false')) return { kind: 'compare', field: token.text, op: op.text, literal: literal.text === 'true' };
    throw this.error(literal, `expected a literal (number, "string", true or false) after "${token.text} ${op.text}", got ${describe(literal)}`);
  }

  private peek(): Token {
    return this.tokens[this.position] ?? { kind: 'end', text: '', column: 0 };
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.position += 1;
    return token;
  }

  private peekKeyword(keyword: 'and' | 'or' | 'not'): boolean {
    const token = this.peek();
    return token.kind === 'keyword' && token.text === keyword;
  }

  private error(token: Token, message: string): FilterSyntaxError {
    return new FilterSyntaxError(`column ${token.column}: ${message}`, token.column);
  }
}
