/* eslint-disable */
import * as types from './graphql.js';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "mutation CreateCameraMoveTask($image: String!, $idempotencyKey: String) {\n  createImageToVideoTask(\n    input: {model: KLING_V1_5, mode: PRO, duration: 5, image: $image, prompt: \"A slow push-in on a mountain cabin in falling snow\", cameraControl: {type: SIMPLE, config: {zoom: -5}}}\n    idempotencyKey: $idempotencyKey\n  ) {\n    task {\n      ...TaskFields\n    }\n  }\n}": typeof types.CreateCameraMoveTaskDocument,
    "mutation CreateStoryboardTask($image: String!, $idempotencyKey: String) {\n  createImageToVideoTask(\n    input: {model: KLING_V3, mode: PRO, image: $image, multiShot: true, shotType: CUSTOMIZE, shots: [{index: 1, prompt: \"Wide shot: a lighthouse on a cliff at dawn\", duration: 4}, {index: 2, prompt: \"The lamp turns on, light sweeps across the sea\", duration: 3}, {index: 3, prompt: \"Close-up of waves breaking on the rocks\", duration: 3}], duration: 10}\n    idempotencyKey: $idempotencyKey\n  ) {\n    task {\n      ...TaskFields\n    }\n  }\n}": typeof types.CreateStoryboardTaskDocument,
    "mutation CreateTask($input: ImageToVideoInput!, $idempotencyKey: String) {\n  createImageToVideoTask(input: $input, idempotencyKey: $idempotencyKey) {\n    task {\n      ...TaskFields\n    }\n  }\n}": typeof types.CreateTaskDocument,
    "mutation CreateVoicedTask($image: String!, $voiceId: String!, $idempotencyKey: String) {\n  createImageToVideoTask(\n    input: {model: KLING_V2_6, mode: PRO, duration: 5, image: $image, prompt: \"The <<<voice_1>>> narrator looks up and says: the storm is coming\", voices: [{voiceId: $voiceId}], sound: true}\n    idempotencyKey: $idempotencyKey\n  ) {\n    task {\n      ...TaskFields\n    }\n  }\n}": typeof types.CreateVoicedTaskDocument,
    "query Models {\n  models {\n    name\n    modes\n    durations\n    multiShot {\n      modes\n      durations\n    }\n    cameraControl {\n      modes\n      durations\n      types\n    }\n    voices {\n      modes\n      durations\n    }\n  }\n  limits {\n    promptMaxLength\n    shotsMax\n    voicesMax\n  }\n  presetVoices {\n    id\n    name\n    trialUrl\n  }\n}": typeof types.ModelsDocument,
    "query MyTasks($first: Int = 10, $after: String, $status: [TaskStatus!]) {\n  tasks(first: $first, after: $after, status: $status) {\n    edges {\n      node {\n        ...TaskFields\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": typeof types.MyTasksDocument,
    "fragment TaskFields on VideoTask {\n  id\n  status\n  statusMessage\n  failureCode\n  providerTaskId\n  model\n  mode\n  duration\n  prompt\n  sequence\n  videos {\n    url\n    watermarkUrl\n    duration\n  }\n  createdAt\n  updatedAt\n}": typeof types.TaskFieldsFragmentDoc,
    "subscription WatchTask($id: ID!, $afterSequence: Int) {\n  taskUpdated(id: $id, afterSequence: $afterSequence) {\n    ...TaskFields\n  }\n}": typeof types.WatchTaskDocument,
};
const documents: Documents = {
    "mutation CreateCameraMoveTask($image: String!, $idempotencyKey: String) {\n  createImageToVideoTask(\n    input: {model: KLING_V1_5, mode: PRO, duration: 5, image: $image, prompt: \"A slow push-in on a mountain cabin in falling snow\", cameraControl: {type: SIMPLE, config: {zoom: -5}}}\n    idempotencyKey: $idempotencyKey\n  ) {\n    task {\n      ...TaskFields\n    }\n  }\n}": types.CreateCameraMoveTaskDocument,
    "mutation CreateStoryboardTask($image: String!, $idempotencyKey: String) {\n  createImageToVideoTask(\n    input: {model: KLING_V3, mode: PRO, image: $image, multiShot: true, shotType: CUSTOMIZE, shots: [{index: 1, prompt: \"Wide shot: a lighthouse on a cliff at dawn\", duration: 4}, {index: 2, prompt: \"The lamp turns on, light sweeps across the sea\", duration: 3}, {index: 3, prompt: \"Close-up of waves breaking on the rocks\", duration: 3}], duration: 10}\n    idempotencyKey: $idempotencyKey\n  ) {\n    task {\n      ...TaskFields\n    }\n  }\n}": types.CreateStoryboardTaskDocument,
    "mutation CreateTask($input: ImageToVideoInput!, $idempotencyKey: String) {\n  createImageToVideoTask(input: $input, idempotencyKey: $idempotencyKey) {\n    task {\n      ...TaskFields\n    }\n  }\n}": types.CreateTaskDocument,
    "mutation CreateVoicedTask($image: String!, $voiceId: String!, $idempotencyKey: String) {\n  createImageToVideoTask(\n    input: {model: KLING_V2_6, mode: PRO, duration: 5, image: $image, prompt: \"The <<<voice_1>>> narrator looks up and says: the storm is coming\", voices: [{voiceId: $voiceId}], sound: true}\n    idempotencyKey: $idempotencyKey\n  ) {\n    task {\n      ...TaskFields\n    }\n  }\n}": types.CreateVoicedTaskDocument,
    "query Models {\n  models {\n    name\n    modes\n    durations\n    multiShot {\n      modes\n      durations\n    }\n    cameraControl {\n      modes\n      durations\n      types\n    }\n    voices {\n      modes\n      durations\n    }\n  }\n  limits {\n    promptMaxLength\n    shotsMax\n    voicesMax\n  }\n  presetVoices {\n    id\n    name\n    trialUrl\n  }\n}": types.ModelsDocument,
    "query MyTasks($first: Int = 10, $after: String, $status: [TaskStatus!]) {\n  tasks(first: $first, after: $after, status: $status) {\n    edges {\n      node {\n        ...TaskFields\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": types.MyTasksDocument,
    "fragment TaskFields on VideoTask {\n  id\n  status\n  statusMessage\n  failureCode\n  providerTaskId\n  model\n  mode\n  duration\n  prompt\n  sequence\n  videos {\n    url\n    watermarkUrl\n    duration\n  }\n  createdAt\n  updatedAt\n}": types.TaskFieldsFragmentDoc,
    "subscription WatchTask($id: ID!, $afterSequence: Int) {\n  taskUpdated(id: $id, afterSequence: $afterSequence) {\n    ...TaskFields\n  }\n}": types.WatchTaskDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CreateCameraMoveTask($image: String!, $idempotencyKey: String) {\n  createImageToVideoTask(\n    input: {model: KLING_V1_5, mode: PRO, duration: 5, image: $image, prompt: \"A slow push-in on a mountain cabin in falling snow\", cameraControl: {type: SIMPLE, config: {zoom: -5}}}\n    idempotencyKey: $idempotencyKey\n  ) {\n    task {\n      ...TaskFields\n    }\n  }\n}"): typeof import('./graphql.js').CreateCameraMoveTaskDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CreateStoryboardTask($image: String!, $idempotencyKey: String) {\n  createImageToVideoTask(\n    input: {model: KLING_V3, mode: PRO, image: $image, multiShot: true, shotType: CUSTOMIZE, shots: [{index: 1, prompt: \"Wide shot: a lighthouse on a cliff at dawn\", duration: 4}, {index: 2, prompt: \"The lamp turns on, light sweeps across the sea\", duration: 3}, {index: 3, prompt: \"Close-up of waves breaking on the rocks\", duration: 3}], duration: 10}\n    idempotencyKey: $idempotencyKey\n  ) {\n    task {\n      ...TaskFields\n    }\n  }\n}"): typeof import('./graphql.js').CreateStoryboardTaskDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CreateTask($input: ImageToVideoInput!, $idempotencyKey: String) {\n  createImageToVideoTask(input: $input, idempotencyKey: $idempotencyKey) {\n    task {\n      ...TaskFields\n    }\n  }\n}"): typeof import('./graphql.js').CreateTaskDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CreateVoicedTask($image: String!, $voiceId: String!, $idempotencyKey: String) {\n  createImageToVideoTask(\n    input: {model: KLING_V2_6, mode: PRO, duration: 5, image: $image, prompt: \"The <<<voice_1>>> narrator looks up and says: the storm is coming\", voices: [{voiceId: $voiceId}], sound: true}\n    idempotencyKey: $idempotencyKey\n  ) {\n    task {\n      ...TaskFields\n    }\n  }\n}"): typeof import('./graphql.js').CreateVoicedTaskDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Models {\n  models {\n    name\n    modes\n    durations\n    multiShot {\n      modes\n      durations\n    }\n    cameraControl {\n      modes\n      durations\n      types\n    }\n    voices {\n      modes\n      durations\n    }\n  }\n  limits {\n    promptMaxLength\n    shotsMax\n    voicesMax\n  }\n  presetVoices {\n    id\n    name\n    trialUrl\n  }\n}"): typeof import('./graphql.js').ModelsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query MyTasks($first: Int = 10, $after: String, $status: [TaskStatus!]) {\n  tasks(first: $first, after: $after, status: $status) {\n    edges {\n      node {\n        ...TaskFields\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"): typeof import('./graphql.js').MyTasksDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment TaskFields on VideoTask {\n  id\n  status\n  statusMessage\n  failureCode\n  providerTaskId\n  model\n  mode\n  duration\n  prompt\n  sequence\n  videos {\n    url\n    watermarkUrl\n    duration\n  }\n  createdAt\n  updatedAt\n}"): typeof import('./graphql.js').TaskFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription WatchTask($id: ID!, $afterSequence: Int) {\n  taskUpdated(id: $id, afterSequence: $afterSequence) {\n    ...TaskFields\n  }\n}"): typeof import('./graphql.js').WatchTaskDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
