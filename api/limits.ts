// Cost control of a GraphQL request before anything runs, cheapest check first:
//   1. the query text: its size (LINEAGE_MAX_QUERY_BYTES), its token count (LINEAGE_MAX_QUERY_TOKENS) and
//      its bracket nesting, read by graphql-js' own lexer, which stops at the limit — before mercurius
//      parses the document;
//   2. the JSON variables' nesting (LINEAGE_MAX_INPUT_DEPTH), walked iteratively;
//   3. validation rules over the parsed document (graphql-armor: depth, aliases, directives; ours: root
//      fields, expanded fields). Each computes a fragment's count once and reuses it, so a fragment that spreads the next
//      one twice, k times over, costs k steps, not 2^k;
//   4. the operation's cost (api/cost.ts), once variables are known.
// Every refusal is API_LIMIT_EXCEEDED and names the variable that sets the limit.
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  GraphQLError,
  Kind,
  Lexer,
  Source,
  TokenKind,
  type ASTVisitor,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { Config } from '../src/config.ts';
import { lineageError } from '../src/errors.ts';

type Limits = Config['limits'];

/** A validation error carrying our code (api/errors.ts reads extensions.code). */
export function limitError(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'API_LIMIT_EXCEEDED' } });
}

/** Brackets a query text may nest: selections (and their inline fragments) plus input values. */
export const textNesting = (limits: Limits) => 4 * limits.maxQueryDepth + limits.maxInputDepth;

const OPENING: ReadonlySet<string> = new Set([TokenKind.BRACE_L, TokenKind.BRACKET_L, TokenKind.PAREN_L]);
const CLOSING: ReadonlySet<string> = new Set([TokenKind.BRACE_R, TokenKind.BRACKET_R, TokenKind.PAREN_R]);

/**
 * Refuses a query text over the byte or token limit, or nesting brackets deeper than textNesting (an
 * input literal `[[[[…]]]]` thousands deep); reads at most `maxQueryTokens` tokens.
 */
export function checkQueryText(query: string, limits: Limits): void {
  const bytes = Buffer.byteLength(query, 'utf8');
  if (bytes > limits.maxQueryBytes)
    throw lineageError(
      'API_LIMIT_EXCEEDED',
      `the query text has ${bytes} bytes, more than the limit of ${limits.maxQueryBytes} (LINEAGE_MAX_QUERY_BYTES)`,
    );
  const maxNesting = textNesting(limits);
  const lexer = new Lexer(new Source(query));
  let tokens = 0;
  let nesting = 0;
  try {
    for (let t = lexer.advance(); t.kind !== TokenKind.EOF; t = lexer.advance()) {
      if (++tokens > limits.maxQueryTokens)
        throw lineageError(
          'API_LIMIT_EXCEEDED',
          `the query has more than ${limits.maxQueryTokens} tokens (LINEAGE_MAX_QUERY_TOKENS)`,
        );
      if (CLOSING.has(t.kind)) nesting--;
      else if (OPENING.has(t.kind) && ++nesting > maxNesting)
        throw lineageError(
          'API_LIMIT_EXCEEDED',
          `the query nests brackets deeper than ${maxNesting} (4 × LINEAGE_MAX_QUERY_DEPTH + LINEAGE_MAX_INPUT_DEPTH)`,
        );
    }
  } catch (err) {
    if (err instanceof GraphQLError) return; // a syntax error: the parser reports it with its location
    throw err;
  }
}

/** Refuses JSON input nested deeper than `max` (objects and arrays), without recursion. */
export function checkInputDepth(value: unknown, max: number, what = 'variables'): void {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > max)
      throw lineageError(
        'API_LIMIT_EXCEEDED',
        `${what} are nested deeper than ${max} levels (LINEAGE_MAX_INPUT_DEPTH)`,
      );
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
}

/** graphql-armor reports through a callback; we report our code and name our variable. */
function armorReport(variable: string) {
  return (context: ValidationContext | null, err: GraphQLError) => {
    const message = err.message.replace(/^Syntax Error: /, '');
    context?.reportError(limitError(`${message} (${variable})`));
  };
}

/**
 * Fields of a selection set with fragments expanded, each fragment counted once and its count reused
 * (a cycle counts 0: NoFragmentCycles reports it). `top` counts only the first level.
 */
function fieldCounter(context: ValidationContext, top: boolean) {
  const memo = new Map<string, number>();
  const count = (set: SelectionSetNode | undefined): number => {
    let n = 0;
    for (const sel of set?.selections ?? []) {
      if (sel.kind === Kind.FIELD) {
        if (!sel.name.value.startsWith('__')) n += 1 + (top ? 0 : count(sel.selectionSet));
      } else if (sel.kind === Kind.INLINE_FRAGMENT) n += count(sel.selectionSet);
      else {
        const name = sel.name.value;
        if (!memo.has(name)) {
          memo.set(name, 0);
          memo.set(name, count(context.getFragment(name)?.selectionSet));
        }
        n += memo.get(name)!;
      }
    }
    return n;
  };
  return count;
}

/** Refuses an operation whose field count (top level only, or all) is over `limit`. */
function fieldCountRule(top: boolean, limit: number, describe: (n: number) => string): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const count = fieldCounter(context, top);
    return {
      OperationDefinition(op) {
        const n = count(op.selectionSet);
        if (n > limit) context.reportError(limitError(describe(n)));
        return false;
      },
    };
  };
}

export const rootFieldsRule = (limit: number) =>
  fieldCountRule(
    true,
    limit,
    (n) => `the operation has ${n} root fields, more than ${limit} (LINEAGE_MAX_ROOT_FIELDS)`,
  );

export const selectionsRule = (limit: number) =>
  fieldCountRule(
    false,
    limit,
    (n) => `the operation expands to ${n} fields, more than ${limit} (LINEAGE_MAX_SELECTIONS)`,
  );

/** The document rules, in addition to graphql-js' specified rules. */
export function documentRules(limits: Limits): ValidationRule[] {
  const options = (variable: string) => ({
    propagateOnRejection: false,
    exposeLimits: true,
    onReject: [armorReport(variable)],
  });
  return [
    maxDepthRule({
      n: limits.maxQueryDepth,
      ignoreIntrospection: true,
      flattenFragments: true,
      ...options('LINEAGE_MAX_QUERY_DEPTH'),
    }) as unknown as ValidationRule,
    maxAliasesRule({ n: limits.maxAliases, ...options('LINEAGE_MAX_ALIASES') }) as unknown as ValidationRule,
    maxDirectivesRule({
      n: limits.maxDirectives,
      ...options('LINEAGE_MAX_DIRECTIVES'),
    }) as unknown as ValidationRule,
    rootFieldsRule(limits.maxRootFields),
    selectionsRule(limits.maxSelections),
  ];
}
