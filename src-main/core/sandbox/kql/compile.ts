/**
 * The compiler: resolves names and types before any row is read, as Kusto does, so a semantic error
 * never depends on the data; then each stage becomes a function over rows.
 */
import { MAX_DATETIME, MIN_DATETIME } from './lex.ts';
import { KqlError, type Row, type ScalarType, type Value } from './model.ts';
import { STRING_OPERATORS, type Expr, type Stage } from './parse.ts';

export interface Column {
  name: string;
  type: ScalarType;
}
export interface Compiled {
  type: ScalarType;
  evaluate: (row: Row) => Value;
}
export interface Scope {
  operator: string;
  columns: readonly Column[];
  now: number;
}

export const SCALAR_FUNCTIONS = ['ago', 'bin', 'isempty', 'isnotempty', 'isnull', 'isnotnull', 'not', 'now'];
export const AGGREGATE_FUNCTIONS = ['count', 'dcount', 'max', 'min'];

export function semanticError(operator: string, message: string): KqlError {
  return new KqlError('semantic', `Semantic error: '${operator}' operator: ${message}`);
}

export const isNumeric = (type: ScalarType): boolean => type === 'long' || type === 'real';
export const comparable = (left: ScalarType, right: ScalarType): boolean => left === right || (isNumeric(left) && isNumeric(right));

export function compareValues(left: Value, right: Value): number {
  if (typeof left === 'string' && typeof right === 'string') return left < right ? -1 : left > right ? 1 : 0; // ordinal, as Kusto
  return Number(left) - Number(right);
}

export function datetimeOrNull(value: number): number | null {
  return value >= MIN_DATETIME && value <= MAX_DATETIME ? value : null;
}

// A term is a maximal run of ASCII letters and digits (Kusto's string-operators page); `has` matches
// whole terms, so 'tkv/1.0 (linux)' has 'linux' but not 'lin'.
export function hasTerm(haystack: string, needle: string): boolean {
  if (needle === '') return true;
  const isTermChar = (char: string | undefined): boolean => char !== undefined && /[A-Za-z0-9]/.test(char);
  const checkStart = isTermChar(needle[0]);
  const checkEnd = isTermChar(needle[needle.length - 1]);
  for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + 1)) {
    if ((!checkStart || !isTermChar(haystack[i - 1])) && (!checkEnd || !isTermChar(haystack[i + needle.length]))) return true;
  }
  return false;
}

export const STRING_TESTS: Record<string, (haystack: string, needle: string) => boolean> = {
  has: hasTerm,
  contains: (haystack, needle) => haystack.includes(needle),
  startswith: (haystack, needle) => haystack.startsWith(needle),
  endswith: (haystack, needle) => haystack.endsWith(needle),
};

export function compileExpression(expr: Expr, scope: Scope): Compiled {
  switch (expr.kind) {
    case 'literal': {
      const value = expr.value;
      return { type: expr.type, evaluate: () => value };
    }
    case 'column': {
      const index = scope.columns.findIndex((column) => column.name === expr.name);
      if (index === -1) throw semanticError(scope.operator, `Failed to resolve scalar expression named '${expr.name}'`);
      return { type: scope.columns[index]!.type, evaluate: (row) => row[index]! };
    }
    case 'call':
      return compileCall(expr, scope);
    case 'in':
      return compileIn(expr, scope);
    case 'binary':
      return compileBinary(expr, scope);
  }
}

export function compileBinary(expr: Extract<Expr, { kind: 'binary' }>, scope: Scope): Compiled {
  const left = compileExpression(expr.left, scope);
  const right = compileExpression(expr.right, scope);
  const { op } = expr;
  if (op === 'and' || op === 'or') {
    if (left.type !== 'bool' || right.type !== 'bool') throw semanticError(scope.operator, `'${op}' needs bool operands, not ${left.type} and ${right.type}`);
    // Three-valued logic: null and false is false, null or true is true, anything else with null is null.
    const decisive = op === 'or';
    return {
      type: 'bool',
      evaluate: (row) => {
        const a = left.evaluate(row);
        if (a === decisive) return decisive;
        const b = right.evaluate(row);
        if (b === decisive) return decisive;
        return a === null || b === null ? null : !decisive;
      },
    };
  }
  const stringOnly = op === '=~' || op === '!~' || STRING_OPERATORS.has(op);
  if (stringOnly ? left.type !== 'string' || right.type !== 'string' : !comparable(left.type, right.type)) {
    throw semanticError(scope.operator, `Cannot compare values of types ${left.type} and ${right.type}${stringOnly ? ` with '${op}'` : ''}. Try adding explicit casts`);
  }
  const test = binaryTest(op);
  return {
    type: 'bool',
    evaluate: (row) => {
      const a = left.evaluate(row);
      const b = right.evaluate(row);
      return a === null || b === null ? null : test(a, b);
    },
  };
}

export function binaryTest(op: string): (a: Value, b: Value) => boolean {
  switch (op) {
    case '==': return (a, b) => a === b;
    case '!=': return (a, b) => a !== b;
    case '=~': return (a, b) => (a as string).toLowerCase() === (b as string).toLowerCase();
    case '!~': return (a, b) => (a as string).toLowerCase() !== (b as string).toLowerCase();
    case '<': return (a, b) => compareValues(a, b) < 0;
    case '<=': return (a, b) => compareValues(a, b) <= 0;
    case '>': return (a, b) => compareValues(a, b) > 0;
    case '>=': return (a, b) => compareValues(a, b) >= 0;
  }
  // has, contains, startswith, endswith: case-insensitive unless _cs, negated with a leading '!'.
  const negated = op.startsWith('!');
  const caseSensitive = op.endsWith('_cs');
  const stringTest = STRING_TESTS[op.replace(/^!/, '').replace(/_cs$/, '')]!;
  return (a, b) => {
    const [haystack, needle] = caseSensitive ? [a as string, b as string] : [(a as string).toLowerCase(), (b as string).toLowerCase()];
    return stringTest(haystack, needle) !== negated;
  };
}

export function compileIn(expr: Extract<Expr, { kind: 'in' }>, scope: Scope): Compiled {
  const left = compileExpression(expr.left, scope);
  const list = expr.list.map((item) => compileExpression(item, scope));
  const caseInsensitive = expr.op.endsWith('~');
  for (const item of list) {
    if (!comparable(left.type, item.type) || (caseInsensitive && left.type !== 'string')) {
      throw semanticError(scope.operator, `Cannot compare values of types ${left.type} and ${item.type} with '${expr.op}'. Try adding explicit casts`);
    }
  }
  const negated = expr.op.startsWith('!');
  const fold = (value: Value): Value => (caseInsensitive && typeof value === 'string' ? value.toLowerCase() : value);
  return {
    type: 'bool',
    evaluate: (row) => {
      const value = left.evaluate(row);
      if (value === null) return null;
      const found = list.some((item) => fold(item.evaluate(row)) === fold(value));
      return found !== negated;
    },
  };
}

export function compileCall(expr: Extract<Expr, { kind: 'call' }>, scope: Scope): Compiled {
  const { name } = expr;
  if (AGGREGATE_FUNCTIONS.includes(name)) throw semanticError(scope.operator, `The function '${name}' cannot be invoked in the current context; aggregations belong in summarize`);
  if (!SCALAR_FUNCTIONS.includes(name)) {
    throw semanticError(scope.operator, `Unknown function: '${name}'. The sandbox knows ${[...SCALAR_FUNCTIONS, ...AGGREGATE_FUNCTIONS].sort().join(', ')}`);
  }
  const args = expr.args.map((arg) => compileExpression(arg, scope));
  const expect = (count: number, ...types: (ScalarType | 'any')[][]): void => {
    if (args.length !== count) throw semanticError(scope.operator, `The function '${name}' expects ${count} argument${count === 1 ? '' : 's'}, not ${args.length}`);
    args.forEach((arg, i) => {
      const allowed = types[i]!;
      if (!allowed.includes('any') && !allowed.includes(arg.type)) {
        throw semanticError(scope.operator, `The function '${name}' expects argument ${i + 1} of type ${allowed.join(' or ')}, not ${arg.type}`);
      }
    });
  };
  const [first] = args as [Compiled];
  switch (name) {
    case 'now': {
      expect(0);
      const { now } = scope;
      return { type: 'datetime', evaluate: () => now };
    }
    case 'ago': {
      expect(1, ['timespan']);
      const { now } = scope;
      return { type: 'datetime', evaluate: (row) => { const span = first.evaluate(row); return span === null ? null : datetimeOrNull(now - (span as number)); } };
    }
    case 'not':
      expect(1, ['bool']);
      return { type: 'bool', evaluate: (row) => { const value = first.evaluate(row); return value === null ? null : !value; } };
    case 'isempty':
    case 'isnotempty':
    case 'isnull':
    case 'isnotnull': {
      expect(1, ['any']);
      // A Kusto string is never null: isnull('') is false, isempty('') is true.
      const test = name.endsWith('empty') ? (value: Value) => value === null || value === '' : (value: Value) => value === null;
      const negated = name.startsWith('isnot');
      return { type: 'bool', evaluate: (row) => test(first.evaluate(row)) !== negated };
    }
    default: // bin
      expect(2, ['datetime', 'long', 'real'], first.type === 'datetime' ? ['timespan'] : ['long', 'real']);
      return compileBin(first, args[1]!);
  }
}

export function compileBin(value: Compiled, span: Compiled): Compiled {
  if (value.type === 'datetime') {
    // Kusto counts datetime bins from 0001-01-01 (a Monday), not from 1970: bin(t, 7d) starts weeks on Monday.
    return {
      type: 'datetime',
      evaluate: (row) => {
        const [time, size] = [value.evaluate(row), span.evaluate(row)] as [number | null, number | null];
        if (time === null || size === null || size <= 0) return null;
        return datetimeOrNull(Math.floor((time - MIN_DATETIME) / size) * size + MIN_DATETIME);
      },
    };
  }
  return {
    type: value.type === 'long' && span.type === 'long' ? 'long' : 'real',
    evaluate: (row) => {
      const [number, size] = [value.evaluate(row), span.evaluate(row)] as [number | null, number | null];
      return number === null || size === null || size <= 0 ? null : Math.floor(number / size) * size;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Operators

export interface Plan {
  columns: Column[];
  run: (rows: Row[]) => Row[];
}

export function outputColumn(operator: string, name: string, type: ScalarType, taken: Set<string>): Column {
  if (type === 'timespan') throw semanticError(operator, `The sandbox cannot return the timespan column '${name}'`);
  if (taken.has(name)) throw semanticError(operator, `A column named '${name}' is already defined`);
  taken.add(name);
  return { name, type };
}

export function compileStage(stage: Stage, columns: readonly Column[], now: number): Plan {
  const scope: Scope = { operator: stage.op, columns, now };
  switch (stage.op) {
    case 'where': {
      const predicate = compileExpression(stage.predicate, scope);
      if (predicate.type !== 'bool') throw semanticError('where', `The predicate must be a bool expression, not ${predicate.type}`);
      return { columns: [...columns], run: (rows) => rows.filter((row) => predicate.evaluate(row) === true) };
    }
    case 'project': {
      const taken = new Set<string>();
      let unnamed = 0;
      const items = stage.items.map(({ name, expr }) => {
        const compiled = compileExpression(expr, scope);
        const column = outputColumn('project', name ?? (expr.kind === 'column' ? expr.name : `Column${++unnamed}`), compiled.type, taken);
        return { column, compiled };
      });
      return { columns: items.map((item) => item.column), run: (rows) => rows.map((row) => items.map((item) => item.compiled.evaluate(row))) };
    }
    case 'order':
    case 'sort': {
      const keys = stage.keys.map((key) => ({ ...key, compiled: compileExpression(key.expr, scope) }));
      const compareRows = (a: Row, b: Row): number => {
        for (const key of keys) {
          const [x, y] = [key.compiled.evaluate(a), key.compiled.evaluate(b)];
          if (x === null || y === null) {
            if (x !== y) return (x === null) === key.nullsFirst ? -1 : 1;
            continue;
          }
          const order = compareValues(x, y);
          if (order !== 0) return key.descending ? -order : order;
        }
        return 0;
      };
      return { columns: [...columns], run: (rows) => [...rows].sort(compareRows) };
    }
    case 'take':
    case 'limit': {
      const { count } = stage;
      return { columns: [...columns], run: (rows) => rows.slice(0, count) };
    }
    case 'summarize':
      return compileSummarize(stage, scope);
  }
}

export type Accumulator = { add: (row: Row) => void; result: () => Value };

export function compileSummarize(stage: Extract<Stage, { op: 'summarize' }>, scope: Scope): Plan {
  const taken = new Set<string>();
  let unnamed = 0;
  const groups = stage.by.map(({ name, expr }) => {
    const compiled = compileExpression(expr, scope);
    // Kusto names `by bin(timestamp, 1h)` after its column, as it does `by timestamp`.
    const source = expr.kind === 'call' && expr.name === 'bin' ? expr.args[0] : expr;
    const column = outputColumn('summarize', name ?? (source?.kind === 'column' ? source.name : `Column${++unnamed}`), compiled.type, taken);
    return { column, compiled };
  });
  const aggregates = stage.aggregates.map(({ name, expr }) => compileAggregate(name, expr, scope, taken));
  return {
    columns: [...groups.map((group) => group.column), ...aggregates.map((aggregate) => aggregate.column)],
    run: (rows) => {
      const buckets = new Map<string, { keys: Row; accumulators: Accumulator[] }>();
      for (const row of rows) {
        const keys = groups.map((group) => group.compiled.evaluate(row));
        const id = JSON.stringify(keys);
        let bucket = buckets.get(id);
        if (!bucket) buckets.set(id, (bucket = { keys, accumulators: aggregates.map((aggregate) => aggregate.start()) }));
        for (const accumulator of bucket.accumulators) accumulator.add(row);
      }
      // Without `by`, Kusto answers one row even for no input (count_ = 0); with `by`, no rows.
      if (groups.length === 0 && buckets.size === 0) buckets.set('', { keys: [], accumulators: aggregates.map((aggregate) => aggregate.start()) });
      return [...buckets.values()].map((bucket) => [...bucket.keys, ...bucket.accumulators.map((accumulator) => accumulator.result())]);
    },
  };
}

export function compileAggregate(name: string | undefined, expr: Expr, scope: Scope, taken: Set<string>): { column: Column; start: () => Accumulator } {
  if (expr.kind !== 'call' || !AGGREGATE_FUNCTIONS.includes(expr.name)) {
    throw semanticError('summarize', `Expected an aggregation function (${AGGREGATE_FUNCTIONS.map((fn) => `${fn}()`).join(', ')}) or a 'by' clause`);
  }
  const fn = expr.name;
  const arity = fn === 'count' ? 0 : 1;
  if (expr.args.length !== arity) throw semanticError('summarize', `The function '${fn}' expects ${arity} argument${arity === 1 ? '' : 's'}, not ${expr.args.length}`);
  const argument = expr.args[0];
  const compiled = argument && compileExpression(argument, scope);
  if ((fn === 'max' || fn === 'min') && compiled && !['string', 'long', 'real', 'datetime'].includes(compiled.type)) {
    throw semanticError('summarize', `The function '${fn}' expects a string, long, real or datetime argument, not ${compiled.type}`);
  }
  // Default names as Kusto gives them (count_, max_timestamp), numbered when they collide (count_1).
  let columnName = name;
  if (columnName === undefined) {
    if (argument && argument.kind !== 'column') throw semanticError('summarize', `Name the aggregate over an expression, e.g. Name = ${fn}(...)`);
    const base = `${fn}_${argument?.kind === 'column' ? argument.name : ''}`;
    columnName = base;
    for (let n = 1; taken.has(columnName); n++) columnName = `${base}${n}`;
  }
  const type: ScalarType = fn === 'count' || fn === 'dcount' ? 'long' : compiled!.type;
  const column = outputColumn('summarize', columnName, type, taken);
  const evaluate = compiled?.evaluate ?? (() => null);
  const start = (): Accumulator => {
    if (fn === 'count') {
      let count = 0;
      return { add: () => { count++; }, result: () => count };
    }
    if (fn === 'dcount') {
      // Exact; Kusto's dcount is a HyperLogLog estimate, which is exact at this size.
      const seen = new Set<Value>();
      return { add: (row) => { const value = evaluate(row); if (value !== null) seen.add(value); }, result: () => seen.size };
    }
    const sign = fn === 'max' ? 1 : -1;
    let best: Value = null;
    return {
      add: (row) => {
        const value = evaluate(row);
        if (value !== null && (best === null || sign * compareValues(value, best) > 0)) best = value;
      },
      result: () => best ?? (type === 'string' ? '' : null),
    };
  };
  return { column, start };
}
