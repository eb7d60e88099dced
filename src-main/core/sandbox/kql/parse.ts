/** KQL's syntax tree, and the parser that builds it from tokens (the grammar is in ../kql.ts). */
import { positionOf, syntaxError, tokenize, type Token } from './lex.ts';
import { KqlError, MAX_NESTING, type ScalarType, type Value } from './model.ts';

export type Expr =
  | { kind: 'literal'; type: ScalarType; value: Value; at: number }
  | { kind: 'column'; name: string; at: number }
  | { kind: 'call'; name: string; args: Expr[]; at: number }
  | { kind: 'binary'; op: string; left: Expr; right: Expr; at: number }
  | { kind: 'in'; op: string; left: Expr; list: Expr[]; at: number };

export interface Named {
  name: string | undefined;
  expr: Expr;
}
export interface SortKey {
  expr: Expr;
  descending: boolean;
  nullsFirst: boolean;
}
export type Stage =
  | { op: 'where'; predicate: Expr }
  | { op: 'summarize'; aggregates: Named[]; by: Named[] }
  | { op: 'order' | 'sort'; keys: SortKey[] }
  | { op: 'take' | 'limit'; count: number }
  | { op: 'project'; items: Named[] };
export interface Query {
  table: Token;
  stages: Stage[];
}

export const COMPARISONS = new Set(['==', '!=', '=~', '!~', '<', '<=', '>', '>=']);
export const STRING_OPERATORS = new Set(
  ['has', 'contains', 'startswith', 'endswith'].flatMap((base) => [base, `${base}_cs`, `!${base}`, `!${base}_cs`]),
);
export const IN_OPERATORS = new Set(['in', '!in', 'in~', '!in~']);
export const RESERVED = new Set(['and', 'or', 'by', 'asc', 'desc', 'nulls', ...STRING_OPERATORS, ...IN_OPERATORS]);
export const OPERATOR_HINT = 'the sandbox supports the operators where, summarize, order by, sort by, take, limit and project';

export class Parser {
  private readonly query: string;
  private readonly tokens: Token[];
  private position = 0;
  private depth = 0;

  constructor(query: string) {
    this.query = query;
    this.tokens = tokenize(query);
  }

  parse(): Query {
    const table = this.next();
    if (table.kind !== 'identifier' || RESERVED.has(table.text) || table.text.startsWith('!')) throw this.unexpected(table);
    const stages: Stage[] = [];
    while (this.isSymbol('|')) {
      this.next();
      stages.push(this.parseStage());
    }
    if (this.peek().kind !== 'end') throw this.unexpected(this.peek());
    return { table, stages };
  }

  private parseStage(): Stage {
    const token = this.next();
    switch (token.kind === 'identifier' ? token.text : '') {
      case 'where':
        return { op: 'where', predicate: this.parseExpression() };
      case 'summarize': {
        const aggregates = this.isWord('by') ? [] : this.parseList(() => this.parseNamed());
        let by: Named[] = [];
        if (this.isWord('by')) {
          this.next();
          by = this.parseList(() => this.parseNamed());
        }
        return { op: 'summarize', aggregates, by };
      }
      case 'order':
      case 'sort':
        this.expectWord('by');
        return { op: token.text as 'order' | 'sort', keys: this.parseList(() => this.parseSortKey()) };
      case 'take':
      case 'limit': {
        const count = this.next();
        if (count.kind !== 'long') throw this.unexpected(count);
        return { op: token.text as 'take' | 'limit', count: count.value as number };
      }
      case 'project':
        return { op: 'project', items: this.parseList(() => this.parseNamed()) };
      default:
        throw syntaxError(this.query, token.at, token.text, token.kind === 'identifier' ? OPERATOR_HINT : undefined);
    }
  }

  private parseList<T>(item: () => T): T[] {
    const items = [item()];
    while (this.isSymbol(',')) {
      this.next();
      items.push(item());
    }
    return items;
  }

  private parseNamed(): Named {
    const token = this.peek();
    const following = this.tokens[this.position + 1];
    if (token.kind === 'identifier' && !RESERVED.has(token.text) && following?.kind === 'symbol' && following.text === '=') {
      this.position += 2;
      return { name: token.text, expr: this.parseExpression() };
    }
    return { name: undefined, expr: this.parseExpression() };
  }

  private parseSortKey(): SortKey {
    const expr = this.parseExpression();
    // Kusto sorts descending unless told otherwise, with nulls last when descending and first when ascending.
    let descending = true;
    if (this.isWord('asc') || this.isWord('desc')) descending = this.next().text === 'desc';
    let nullsFirst = !descending;
    if (this.isWord('nulls')) {
      this.next();
      const which = this.next();
      if (which.text !== 'first' && which.text !== 'last') throw this.unexpected(which);
      nullsFirst = which.text === 'first';
    }
    return { expr, descending, nullsFirst };
  }

  private parseExpression(): Expr {
    if (++this.depth > MAX_NESTING) {
      const { line, column } = positionOf(this.query, this.peek().at);
      throw new KqlError('limit', `The query nests expressions deeper than ${MAX_NESTING} levels (at line [${line},${column}]).`);
    }
    const expr = this.parseOr();
    this.depth--;
    return expr;
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.isWord('or')) {
      const op = this.next();
      left = { kind: 'binary', op: 'or', left, right: this.parseAnd(), at: op.at };
    }
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseComparison();
    while (this.isWord('and')) {
      const op = this.next();
      left = { kind: 'binary', op: 'and', left, right: this.parseComparison(), at: op.at };
    }
    return left;
  }

  private parseComparison(): Expr {
    const left = this.parsePrimary();
    const op = this.peek();
    if ((op.kind === 'symbol' && COMPARISONS.has(op.text)) || (op.kind === 'identifier' && STRING_OPERATORS.has(op.text))) {
      this.next();
      return { kind: 'binary', op: op.text, left, right: this.parsePrimary(), at: op.at };
    }
    if (op.kind === 'identifier' && IN_OPERATORS.has(op.text)) {
      this.next();
      this.expectSymbol('(');
      const list = this.parseList(() => this.parseExpression());
      this.expectSymbol(')');
      return { kind: 'in', op: op.text, left, list, at: op.at };
    }
    return left;
  }

  private parsePrimary(): Expr {
    const token = this.next();
    switch (token.kind) {
      case 'string':
      case 'long':
      case 'real':
      case 'timespan':
      case 'datetime':
        return { kind: 'literal', type: token.kind, value: token.value, at: token.at };
      case 'symbol':
        if (token.text === '(') {
          const inner = this.parseExpression();
          this.expectSymbol(')');
          return inner;
        }
        if (token.text === '-') {
          const number = this.next();
          if (number.kind !== 'long' && number.kind !== 'real' && number.kind !== 'timespan') throw this.unexpected(number);
          return { kind: 'literal', type: number.kind, value: -(number.value as number), at: token.at };
        }
        throw this.unexpected(token);
      case 'identifier':
        if (token.text === 'true' || token.text === 'false') return { kind: 'literal', type: 'bool', value: token.text === 'true', at: token.at };
        if (RESERVED.has(token.text) || token.text.startsWith('!')) throw this.unexpected(token);
        if (this.isSymbol('(')) {
          this.next();
          const args = this.isSymbol(')') ? [] : this.parseList(() => this.parseExpression());
          this.expectSymbol(')');
          return { kind: 'call', name: token.text, args, at: token.at };
        }
        return { kind: 'column', name: token.text, at: token.at };
      default:
        throw this.unexpected(token);
    }
  }

  private peek(): Token {
    return this.tokens[this.position]!;
  }

  private next(): Token {
    const token = this.tokens[this.position]!;
    if (token.kind !== 'end') this.position++;
    return token;
  }

  private isSymbol(text: string): boolean {
    const token = this.peek();
    return token.kind === 'symbol' && token.text === text;
  }

  private isWord(text: string): boolean {
    const token = this.peek();
    return token.kind === 'identifier' && token.text === text;
  }

  private expectSymbol(text: string): void {
    if (!this.isSymbol(text)) throw this.unexpected(this.peek());
    this.next();
  }

  private expectWord(text: string): void {
    if (!this.isWord(text)) throw this.unexpected(this.peek());
    this.next();
  }

  private unexpected(token: Token): KqlError {
    return syntaxError(this.query, token.at, token.text);
  }
}
