/**
 * GraphQL enums over the provider's own values: `kling-v2-6` is exposed as `KLING_V2_6` and reaches
 * resolvers as `kling-v2-6` again, so the value lists in src/upstream stay the only copy.
 */
import { clientName } from '../resolvers/validation/client-names.js';

export interface ProviderEnumValue<Value extends string> {
  value: Value;
  description: string;
}

/**
 * Enum values named as validation messages name them (`clientName`), one per provider value, each
 * described by `describe`, so a value added upstream cannot go undocumented.
 */
export function providerEnumValues<const Value extends string>(
  values: readonly Value[],
  describe: (value: Value) => string,
): Record<string, ProviderEnumValue<Value>> {
  return Object.fromEntries(
    values.map((value) => [clientName(value), { value, description: describe(value) }]),
  );
}
