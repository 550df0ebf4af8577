// The GraphQL enums are the analysis constants: every enum of the schema is listed in api/enums.ts with
// exactly the values of its constant, in order.
import { buildSchema, isEnumType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { GRAPHQL_ENUMS } from '../../api/enums.ts';
import { CORE_SDL } from '../../api/resolvers.ts';

const schema = buildSchema(CORE_SDL);
const enums = Object.values(schema.getTypeMap()).filter((t) => isEnumType(t) && !t.name.startsWith('__'));

describe('GraphQL enums', () => {
  it('every schema enum has its constant', () => {
    expect(enums.map((e) => e.name).sort()).toEqual(Object.keys(GRAPHQL_ENUMS).sort());
  });
  it.each(enums.map((e) => [e.name, e] as const))('%s has the values of its constant', (name, e) => {
    if (!isEnumType(e)) throw new Error(`${name} is not an enum`);
    expect(e.getValues().map((v) => v.name)).toEqual([...GRAPHQL_ENUMS[name]]);
  });
});
