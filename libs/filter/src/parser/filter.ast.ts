/** The comparison operators, without the `?` ("any of") prefix, which `ComparisonNode.any` carries. */
export const COMPARISON_OPERATORS = ['=', '!=', '>', '>=', '<', '<=', '~', '!~'] as const;
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];

export const MACRO_NAMES = [
  '@now',
  '@second',
  '@minute',
  '@hour',
  '@weekday',
  '@day',
  '@month',
  '@year',
  '@yesterday',
  '@tomorrow',
  '@todayStart',
  '@todayEnd',
  '@monthStart',
  '@monthEnd',
  '@yearStart',
  '@yearEnd',
] as const;
export type MacroName = (typeof MACRO_NAMES)[number];

export const FUNCTION_NAMES = ['geoDistance', 'strftime'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/** A field path as written, e.g. `author.name`, `@request.body.tags:each`, `@collection.users:u.email`. */
export interface FieldOperand {
  type: 'field';
  name: string;
  pos: number;
}
export interface TextOperand {
  type: 'text';
  value: string;
  pos: number;
}
export interface NumberOperand {
  type: 'number';
  value: number;
  pos: number;
}
export interface BoolOperand {
  type: 'bool';
  value: boolean;
  pos: number;
}
export interface NullOperand {
  type: 'null';
  pos: number;
}
export interface MacroOperand {
  type: 'macro';
  name: MacroName;
  pos: number;
}
/** Function arguments are plain operands: PocketBase allows no nested calls. */
export interface CallOperand {
  type: 'call';
  name: FunctionName;
  args: SimpleOperand[];
  pos: number;
}
export type SimpleOperand = FieldOperand | TextOperand | NumberOperand | BoolOperand | NullOperand | MacroOperand;
export type Operand = SimpleOperand | CallOperand;

export interface ComparisonNode {
  type: 'comparison';
  op: ComparisonOperator;
  /** true for the `?=`-style "at least one item" forms. */
  any: boolean;
  left: Operand;
  right: Operand;
  pos: number;
}

/** `&&` or `||` over two or more items (n-ary, so long chains do not make deep trees). */
export interface LogicalNode {
  type: 'logical';
  op: '&&' | '||';
  items: FilterNode[];
}

export type FilterNode = ComparisonNode | LogicalNode;

/** Both expressions must hold; used to combine an API rule with a client filter into one compile. */
export function andNodes(...nodes: FilterNode[]): FilterNode {
  if (nodes.length === 1) return nodes[0] as FilterNode;
  return { type: 'logical', op: '&&', items: nodes };
}
