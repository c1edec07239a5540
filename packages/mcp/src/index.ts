export { type HealthReport, type ProcessScore, scoreHealth, scoreProcess } from './health-score.js';
export { createMcpHttpHandler, type McpHttpHandler, type McpHttpHandlerOptions } from './http-handler.js';
export { createVelosMcpServer, VELOS_TOOLS, type VelosMcpServerOptions } from './server.js';
export { serveStdio } from './stdio.js';
export { errorLine, type ToolContext, type ToolDefinition, toolMeta } from './tool-kit.js';
