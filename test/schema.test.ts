import { existsSync, readFileSync } from 'node:fs';
import {
  assertEnumType,
  assertInputObjectType,
  assertObjectType,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isSpecifiedScalarType,
} from 'graphql/index.js'; // the copy Pothos uses: see src/schema/print.ts
import { describe, expect, it } from 'vitest';
import { buildSchema } from '../src/schema/index.js';
import { printGatewaySchema, SCHEMA_FILE } from '../src/schema/print.js';

const schema = buildSchema();

/** Field name → printed type, e.g. `{ model: 'KlingModel' }`. */
function signature(fields: Record<string, GraphQLField<unknown, unknown> | GraphQLInputField>) {
  return Object.fromEntries(Object.values(fields).map((field) => [field.name, String(field.type)]));
}

/** GraphQL name → internal (provider) value. */
function enumValues(name: string) {
  return Object.fromEntries(
    assertEnumType(schema.getType(name))
      .getValues()
      .map((value) => [value.name, value.value]),
  );
}

describe('schema.graphql', () => {
  it('is the printed form of the schema built from src/schema', () => {
    const committed = existsSync(SCHEMA_FILE) ? readFileSync(SCHEMA_FILE, 'utf8') : '';
    expect(committed, 'schema.graphql is stale: run `npm run schema:print` and commit it').toBe(
      printGatewaySchema(),
    );
  });
});

describe('public contract', () => {
  it('creates tasks with createImageToVideoTask(input: ImageToVideoInput!, idempotencyKey: String)', () => {
    const mutation = schema.getMutationType()?.getFields().createImageToVideoTask;
    expect(String(mutation?.type)).toBe('CreateImageToVideoTaskPayload!');
    expect(mutation?.args.map((arg) => [arg.name, String(arg.type)])).toEqual([
      ['input', 'ImageToVideoInput!'],
      ['idempotencyKey', 'String'],
    ]);
    expect(signature(assertObjectType(schema.getType('CreateImageToVideoTaskPayload')).getFields())).toEqual({
      task: 'VideoTask!',
    });
  });

  it('takes ImageToVideoInput and its nested inputs exactly as published', () => {
    const input = (name: string) => signature(assertInputObjectType(schema.getType(name)).getFields());
    expect(input('ImageToVideoInput')).toEqual({
      model: 'KlingModel',
      image: 'String',
      imageTail: 'String',
      prompt: 'String',
      negativePrompt: 'String',
      voices: '[VoiceInput!]',
      sound: 'Boolean',
      cfgScale: 'Float',
      mode: 'VideoMode',
      staticMask: 'String',
      dynamicMasks: '[DynamicMaskInput!]',
      multiShot: 'Boolean',
      shotType: 'ShotType',
      shots: '[ShotInput!]',
      cameraControl: 'CameraControlInput',
      duration: 'Int',
      watermark: 'Boolean',
    });
    expect(input('VoiceInput')).toEqual({ voiceId: 'String!' });
    expect(input('ShotInput')).toEqual({ index: 'Int!', prompt: 'String!', duration: 'Int!' });
    expect(input('DynamicMaskInput')).toEqual({ mask: 'String!', trajectories: '[PointInput!]!' });
    expect(input('PointInput')).toEqual({ x: 'Int!', y: 'Int!' });
    expect(input('CameraControlInput')).toEqual({ type: 'CameraControlType!', config: 'CameraConfigInput' });
    expect(input('CameraConfigInput')).toEqual({
      horizontal: 'Float',
      vertical: 'Float',
      pan: 'Float',
      tilt: 'Float',
      roll: 'Float',
      zoom: 'Float',
    });
  });

  it('maps every enum value to the provider value it stands for', () => {
    expect(enumValues('KlingModel')).toEqual({
      KLING_V1: 'kling-v1',
      KLING_V1_5: 'kling-v1-5',
      KLING_V1_6: 'kling-v1-6',
      KLING_V2_MASTER: 'kling-v2-master',
      KLING_V2_1: 'kling-v2-1',
      KLING_V2_1_MASTER: 'kling-v2-1-master',
      KLING_V2_5_TURBO: 'kling-v2-5-turbo',
      KLING_V2_6: 'kling-v2-6',
      KLING_V3: 'kling-v3',
    });
    expect(enumValues('VideoMode')).toEqual({ STD: 'std', PRO: 'pro' });
    expect(enumValues('ShotType')).toEqual({ CUSTOMIZE: 'customize', INTELLIGENCE: 'intelligence' });
    expect(enumValues('CameraControlType')).toEqual({
      SIMPLE: 'simple',
      DOWN_BACK: 'down_back',
      FORWARD_UP: 'forward_up',
      RIGHT_TURN_FORWARD: 'right_turn_forward',
      LEFT_TURN_FORWARD: 'left_turn_forward',
    });
    expect(Object.keys(enumValues('TaskStatus'))).toEqual([
      'PENDING',
      'SUBMITTED',
      'PROCESSING',
      'SUCCEEDED',
      'FAILED',
    ]);
  });

  it('reads tasks through task(id:), the tasks connection and the Node interface', () => {
    const query = schema.getQueryType()?.getFields() ?? {};
    expect(String(query.task?.type)).toBe('VideoTask');
    expect(query.task?.args.map((arg) => [arg.name, String(arg.type)])).toEqual([['id', 'ID!']]);
    expect(String(query.tasks?.type)).toBe('VideoTaskConnection!');
    expect(query.tasks?.args.map((arg) => arg.name).sort()).toEqual([
      'after',
      'before',
      'first',
      'last',
      'status',
    ]);
    expect(String(query.models?.type)).toBe('[ModelCapabilities!]!');
    expect(String(query.presetVoices?.type)).toBe('[Voice!]!');
    expect(String(query.limits?.type)).toBe('InputLimits!');
    expect(
      assertObjectType(schema.getType('VideoTask'))
        .getInterfaces()
        .map((type) => type.name),
    ).toEqual(['Node']);
  });
});

describe('documentation', () => {
  interface Documented {
    name: string;
    description: string | null | undefined;
  }

  /** The type and every field, argument and enum value it defines. */
  function documented(type: GraphQLNamedType): Documented[] {
    const entry = (name: string, description: string | null | undefined) => ({ name, description });
    const own = [entry(type.name, type.description)];
    if (isEnumType(type)) {
      return [
        ...own,
        ...type.getValues().map((value) => entry(`${type.name}.${value.name}`, value.description)),
      ];
    }
    if (isInputObjectType(type)) {
      const fields = Object.values(type.getFields());
      return [...own, ...fields.map((field) => entry(`${type.name}.${field.name}`, field.description))];
    }
    if (isObjectType(type) || isInterfaceType(type)) {
      const fields = Object.values(type.getFields());
      return [
        ...own,
        ...fields.flatMap((field) => [
          entry(`${type.name}.${field.name}`, field.description),
          ...field.args.map((arg) => entry(`${type.name}.${field.name}(${arg.name})`, arg.description)),
        ]),
      ];
    }
    return own;
  }

  it('describes every type, field, argument and enum value', () => {
    const undocumented = Object.values(schema.getTypeMap())
      .filter((type) => !isIntrospectionType(type) && !isSpecifiedScalarType(type))
      .flatMap(documented)
      .filter(({ description }) => !description)
      .map(({ name }) => name);
    expect(undocumented).toEqual([]);
  });
});
