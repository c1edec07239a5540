export { appSpecSchema, requestSchemas } from './protocol-schemas.js';
