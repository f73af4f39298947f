/**
 * The sandbox's public types, written once: sandbox/server.js is checked against them by tsc
 * (sandbox/tsconfig.json, checkJs) and the tests import them (test/fixtures.ts).
 */

/** `сount` with a Cyrillic first letter (U+0441), as GREEN-API's WhatsApp examples spell it, or `count`. */
export type CountKey = 'count' | '\u0441ount';

/** What each instance can be set to answer; defaults and checks: SETTINGS in server.js. */
export interface InstanceSettings {
	/** successful checkWhatsapp calls before HTTP 466 (default 30000) */
	checkWhatsappQuota: number;
	/** the account's own number (default '79001234567') */
	phone: string;
	/** numbers once connected to the instance; unban and unbanStatus work only for these (default [phone]) */
	knownNumbers: string[];
	/** what unban answers (default 'UNBANNED') */
	unbanStatus: string;
	/** what unbanStatus answers until an unban call puts its own status on record (default 'NO_APPEAL_OPEN') */
	appealStatus: string;
	/** false: getAuthorizationCode answers `{status: false, code: ''}` (default true) */
	authorizationCodeStatus: boolean;
	/** key of getMessagesCount answers (default Cyrillic 'сount') */
	countKey: CountKey;
	/** messages added to the queue before each getMessagesCount answer (default 0) */
	queueGrowth: number;
	/** per method without a handler of its own (a read-only method of the node): its JSON answer (default {}) */
	answers: Record<string, unknown>;
}

export interface InstanceDef extends Partial<InstanceSettings> {
	idInstance: string | number;
	apiTokenInstance: string;
	/** default 'authorized'; null = still being created */
	stateInstance?: string | null;
	/** outgoing queue at the start: a number of generated messages, or the messages (default 0) */
	queue?: number | MessageDef[];
}

/** What updateInstance changes (until reset). The state: setState; the queue: setQueue / pushMessages. */
export type InstancePatch = Partial<InstanceSettings>;

/** A message for the outgoing queue; missing fields are generated. */
export interface MessageDef {
	messageID?: string;
	/** default 'sendMessage' */
	type?: string;
	/** default '<phone>@c.us' */
	chatId?: string;
	message?: string;
}

/** A queued message as showMessagesQueue answers it. */
export interface QueuedMessage {
	messageID: string;
	type: string;
	body: { chatId: string; message: string };
}

export interface Fault {
	/** absent = any instance */
	idInstance?: string | number;
	/** absent = any method */
	method?: string;
	/** how many matching requests it applies to (default 1) */
	count?: number;
	kind: 'status' | 'html' | 'empty' | 'null' | 'delay' | 'drop';
	/** for 'status' (default 500) and 'html' (default 502) */
	status?: number;
	/** for 'status': a string is sent as text, anything else as JSON */
	body?: unknown;
	/** for 'delay' (default 60000) */
	delayMs?: number;
}

export interface SandboxOptions {
	host?: string;
	/** 0 = a free port */
	port?: number;
	/** added before every API answer */
	latencyMs?: number;
	/** latency varies uniformly by +- this much */
	latencyJitterMs?: number;
	/** per method, over DEFAULT_RATE_LIMITS; null = unlimited, 0 = refuse all */
	rateLimits?: Partial<Record<string, number | null>>;
	/** seconds for a Retry-After header on 429 answers */
	retryAfter?: number | false;
	/** how 400 errors are written */
	errorStyle?: 'json' | 'text';
	/** how long reboot keeps the instance in 'starting' (default 3000) */
	rebootMs?: number;
	/** how long a link code from getAuthorizationCode is valid (default 150000) */
	authorizationCodeMs?: number;
	/** 400 texts per state for checkWhatsapp, over STATE_REFUSALS (key 'null' for the null state) */
	refusals?: Partial<Record<string, string>>;
	/** epoch ms for the rate windows and arrival times (tests pass the nodes' virtual clock) */
	now?: () => number;
	instances?: InstanceDef[];
}

export interface AuthorizationCode {
	code: string;
	phoneNumber: string;
	/** epoch ms */
	expiresAt: number;
}

export interface InstanceView extends InstanceSettings {
	idInstance: string;
	apiTokenInstance: string;
	stateInstance: string | null;
	/** states still to be served by getStateInstance */
	script: Array<string | null>;
	rebooting: boolean;
	checkWhatsappUsed: number;
	/** the last code handed out, until it is entered */
	authorizationCode: AuthorizationCode | null;
	/** the outgoing queue's length */
	messagesQueued: number;
	/** messages the instance sent from its queue */
	messagesSent: number;
}

export interface Bucket {
	requests: number;
	/** 2xx answers */
	ok: number;
	/** 429 answers from the rate limiter */
	rateLimited: number;
	/** requests an injected fault applied to */
	faults: number;
	byStatus: Record<string, number>;
}

export interface Stats {
	/** API requests received (admin requests are not counted) */
	total: number;
	/** answers by HTTP status; 'dropped' = closed without answer, '499' = client left first */
	byStatus: Record<string, number>;
	byMethod: Record<string, Bucket>;
	byInstance: Record<string, Bucket>;
	inFlight: number;
	maxConcurrent: number;
	/** epoch ms of the first request */
	firstAt: number | null;
	/** epoch ms of the last request */
	lastAt: number | null;
	/** epoch ms at which each method's requests passed the rate limiter (first 100000) */
	arrivals: Record<string, number[]>;
}

type Id = string | number;

export interface Sandbox {
	/** e.g. http://127.0.0.1:PORT */
	url: string;
	port: number;
	/** stops the server, ends pending waits and destroys open sockets */
	close(): Promise<void>;
	/** replaces an instance with the same id */
	addInstance(def: InstanceDef): InstanceView;
	listInstances(): InstanceView[];
	getInstance(id: Id): InstanceView;
	/** changes settings until reset */
	updateInstance(id: Id, patch: InstancePatch): InstanceView;
	/** also clears the script and any pending reboot */
	setState(id: Id, state: string | null): InstanceView;
	/** each getStateInstance takes the next state; the last one stays */
	scriptStates(id: Id, states: Array<string | null>): InstanceView;
	/** as if the owner sent them: queued, or sent at once by an authorized instance */
	pushMessages(id: Id, messages: number | MessageDef[]): InstanceView;
	/** replaces the queue (an authorized instance sends it at once) */
	setQueue(id: Id, messages: number | MessageDef[]): InstanceView;
	/** as if the last code were entered on the phone: the instance becomes authorized */
	enterAuthorizationCode(id: Id, code: string): InstanceView;
	injectFault(fault: Fault): void;
	setLatency(ms: number, jitterMs?: number): void;
	setRateLimit(method: string, perSecond: number | null): void;
	/** a copy */
	stats(): Stats;
	resetStats(): void;
	/** everything back to how startSandbox left it (instances added later stay, reset to their definition) */
	reset(): void;
}

export type BodyField = 'phoneNumber' | 'description';

/** A GREEN-API method as the sandbox imitates it (METHOD_TABLE adds the handler). */
export interface MethodInfo {
	/** any other verb answers 404 */
	verb: 'GET' | 'POST';
	/** default rate limit per instance; null = none */
	perSecond: number | null;
	/** whether GREEN-API publishes that limit (otherwise we chose it) */
	publishedLimit: boolean;
	/** POST body fields, validated in this order before the handler runs */
	body?: BodyField[];
}

/** What sandbox/server.js exports. */
export interface SandboxModule {
	startSandbox(options?: SandboxOptions): Promise<Sandbox>;
	/** the demo instance of `npm run sandbox` and `npm run dev` */
	DEMO: Readonly<{ idInstance: string; apiTokenInstance: string; stateInstance: string }>;
	DEFAULTS: Readonly<Required<Omit<SandboxOptions, 'instances'>>>;
	DEFAULT_RATE_LIMITS: Readonly<Record<string, number | null>>;
	/** HTTP verb of each method (also the list of known methods) */
	METHODS: Readonly<Record<string, 'GET' | 'POST'>>;
	METHOD_TABLE: Readonly<Record<string, Readonly<MethodInfo>>>;
	/** the 400 text of checkWhatsapp per state (others: 'instance account not authorized') */
	STATE_REFUSALS: Readonly<Record<string, string>>;
	COUNT_KEYS: readonly CountKey[];
}
