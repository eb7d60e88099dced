/** Types of node-version.mjs (plain JavaScript, so that an old Node can run it). */
export declare const REQUIRED: [number, number];
export declare function nodeProblem(version: string): string | null;
