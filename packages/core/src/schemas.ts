export { ALERT_NAME, alertRuleSchema } from './alert-rules.js';
export { appSpecSchema, requestSchemas } from './protocol-schemas.js';
