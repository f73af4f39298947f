/**
 * The model's side of an MCP conversation, played by the official MCP SDK client: connect to an
 * n8n MCP Server Trigger over Streamable HTTP, list tools, call them. Everything the client
 * receives is kept in `received`, so a test can search it for tokens.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import { env } from '../harness';

export interface ToolAnswer {
	isError: boolean;
	/** the text content a model reads */
	text: string;
	/** `text` parsed as JSON when it is JSON (n8n sends a tool's output items as a JSON array) */
	json: any;
}

export class McpSession {
	readonly received: string[] = [];

	private constructor(private readonly client: Client) {}

	/**
	 * Connects to `<n8n>/mcp/<path>`. n8n registers a production webhook shortly after the
	 * activation call returns, so a 404 is retried for a while.
	 */
	static async connect(n8nUrl: string, path: string, timeoutMs = 30e3): Promise<McpSession> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const client = new Client({ name: 'green-api-e2e', version: '1.0.0' });
			try {
				await client.connect(new StreamableHTTPClientTransport(new URL(`${n8nUrl}/mcp/${path}`)));
				return new McpSession(client);
			} catch (err) {
				await client.close().catch(() => undefined);
				if (Date.now() > deadline || !/404|not registered/.test(String((err as Error)?.message))) throw err;
				await env.sleep(500);
			}
		}
	}

	get instructions(): string | undefined {
		return this.client.getInstructions();
	}

	async listTools() {
		const res = await this.client.listTools();
		this.received.push(JSON.stringify(res));
		return res.tools;
	}

	async call(name: string, args: Record<string, unknown> = {}): Promise<ToolAnswer> {
		const res: any = await this.client.callTool({ name, arguments: args });
		this.received.push(JSON.stringify(res));
		const text = (res.content ?? []).map((c: any) => (c.type === 'text' ? c.text : `[${c.type}]`)).join('\n');
		let json: any;
		try {
			json = JSON.parse(text);
		} catch {
			json = undefined;
		}
		return { isError: res.isError === true, text, json };
	}

	close(): Promise<void> {
		return this.client.close();
	}
}
