'use strict';
/**
 * Lets plain `node` run the benchmark's TypeScript (and the test harness it shares) without a
 * build step: `node -r ./bench/register.js bench/run.ts`. Each .ts file outside node_modules is
 * transpiled on load with the project's own `typescript` (no type check; `npx tsc -p
 * bench/tsconfig.json` does that). Same settings as jest's ts-jest transform.
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

const extensions = require.extensions;
const { '.json': json, '.node': native } = extensions;
// Node tries extensions in this object's key order. `.ts` must come before `.json`, as in jest:
// `require('./GreenApi.node')` means GreenApi.node.ts, not the codex file GreenApi.node.json.
delete extensions['.json'];
delete extensions['.node'];
extensions['.ts'] = (module, filename) => {
	const source = fs.readFileSync(filename, 'utf8');
	const { outputText } = ts.transpileModule(source, { compilerOptions, fileName: filename });
	module._compile(outputText, filename);
};
extensions['.json'] = json;
extensions['.node'] = native;
