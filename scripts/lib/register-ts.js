'use strict';
/**
 * Lets plain `node` load the project's TypeScript without a build step: the benchmark
 * (`node -r ./scripts/lib/register-ts.js bench/run.ts`) and the sandbox, which reads the node's
 * method table. Each .ts file outside node_modules is transpiled on load with the project's own
 * `typescript` (no type check: `npm run typecheck` does that). Same settings as jest's ts-jest
 * transform. Loading it twice is harmless.
 */
const fs = require('fs');
const ts = require('typescript');

const compilerOptions = {
	module: ts.ModuleKind.CommonJS,
	target: ts.ScriptTarget.ES2021,
	esModuleInterop: true,
	resolveJsonModule: true,
	inlineSourceMap: true,
};

/** @type {Record<string, (module: any, filename: string) => void>} */
const extensions = /** @type {any} */ (require.extensions);
const { '.json': json, '.node': native } = extensions;
// Node tries extensions in this object's key order. `.ts` must come before `.json`, as in jest:
// `require('./GreenApi.node')` means GreenApi.node.ts, not the codex file GreenApi.node.json.
delete extensions['.json'];
delete extensions['.node'];
if (extensions['.ts'] === undefined) extensions['.ts'] = (module, filename) => {
	const source = fs.readFileSync(filename, 'utf8');
	const { outputText } = ts.transpileModule(source, { compilerOptions, fileName: filename });
	module._compile(outputText, filename);
};
extensions['.json'] = json;
extensions['.node'] = native;
