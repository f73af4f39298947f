/**
 * findSecret(value, secret): every path inside `value` where `secret` occurs (in a string, a
 * key, a Buffer, a URL, ...). Walks what JSON.stringify would miss too: non-enumerable own
 * properties (Error `message`, `stack`, `cause`), getters on error prototypes (`description`,
 * `context`), Maps, Sets, typed arrays. Returns [] when the secret is nowhere.
 *
 * Paths look like `$.error.cause.message`, `$.items[2].json.url`, `$<map>[key]`, `$<key>.x`
 * (the secret is in the key itself), and `$<json>` / `$<string>` when only the value's JSON or
 * String() form contains it.
 */
const ERROR_FIELDS = ['message', 'stack', 'cause', 'description', 'context', 'name', 'errors', 'errorResponse', 'httpCode', 'response', 'config', 'request'];
const MAX_DEPTH = 40;
const MAX_NODES = 200_000;

function describeKey(key: PropertyKey): string {
	if (typeof key === 'symbol') return `[${key.toString()}]`;
	const name = String(key);
	return /^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
}

export function findSecret(value: unknown, secret: string): string[] {
	if (!secret) throw new Error('findSecret: empty secret');
	const found = new Set<string>();
	const seen = new WeakSet<object>();
	let visited = 0;

	const visit = (v: unknown, path: string, depth: number): void => {
		if (++visited > MAX_NODES || depth > MAX_DEPTH) return;
		if (typeof v === 'string') {
			if (v.includes(secret)) found.add(path);
			return;
		}
		if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') {
			if (String(v).includes(secret)) found.add(path);
			return;
		}
		if (typeof v === 'function') {
			// A function's own properties may carry data; its source is not data.
			if (seen.has(v)) return;
			seen.add(v);
			for (const key of Object.keys(v)) visitProperty(v, key, path, depth);
			return;
		}
		if (v === null || typeof v !== 'object') return;
		if (seen.has(v)) return;
		seen.add(v);

		if (Buffer.isBuffer(v) || v instanceof Uint8Array) {
			if (Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8').includes(secret)) found.add(`${path}<bytes>`);
			return;
		}
		if (v instanceof ArrayBuffer) {
			if (Buffer.from(v).toString('utf8').includes(secret)) found.add(`${path}<bytes>`);
			return;
		}
		if (v instanceof URL || v instanceof URLSearchParams) {
			if (v.toString().includes(secret)) found.add(path);
			return;
		}
		if (v instanceof Date || v instanceof RegExp) {
			if (String(v).includes(secret)) found.add(path);
			return;
		}
		if (v instanceof Map) {
			let i = 0;
			for (const [k, item] of v) {
				const keyPath = typeof k === 'string' ? `${path}<map>[${JSON.stringify(k)}]` : `${path}<map>#${i}`;
				visit(k, `${keyPath}<key>`, depth + 1);
				visit(item, keyPath, depth + 1);
				i++;
			}
		} else if (v instanceof Set) {
			let i = 0;
			for (const item of v) visit(item, `${path}<set>#${i++}`, depth + 1);
		}

		const keys = new Set<PropertyKey>(Reflect.ownKeys(v));
		if (v instanceof Error) for (const key of ERROR_FIELDS) if (key in v) keys.add(key);
		for (const key of keys) {
			if (typeof key === 'string' && key.includes(secret)) found.add(`${path}<key>${describeKey(key)}`);
			visitProperty(v, key, path, depth);
		}
	};

	const visitProperty = (owner: object, key: PropertyKey, path: string, depth: number): void => {
		let child: unknown;
		try {
			child = (owner as Record<PropertyKey, unknown>)[key];
		} catch {
			return; // a throwing getter
		}
		const childPath = Array.isArray(owner) && typeof key === 'string' && /^\d+$/.test(key) ? `${path}[${key}]` : `${path}${describeKey(key)}`;
		visit(child, childPath, depth + 1);
	};

	visit(value, '$', 0);

	if (found.size === 0) {
		// Belt and braces: forms a consumer might print that the walk could miss (toJSON, toString).
		try {
			if ((JSON.stringify(value) ?? '').includes(secret)) found.add('$<json>');
		} catch {
			/* circular or bigint: the walk above covered it */
		}
		try {
			if (typeof value === 'object' && value !== null && String(value).includes(secret)) found.add('$<string>');
		} catch {
			/* no usable toString */
		}
	}
	return [...found];
}
