// `@velos/log-engine/line-level`: the level of one line exactly as the engine decides it (structured
// `level` field, explicit label, an app's own rules, the default rules, stderr as a hint; a stack frame
// continues its event), with nothing Node-only, so a browser (the web dashboard) classifies lines as
// `logs.search` does instead of keeping a word list of its own.
export { stripAnsi } from './ansi.js';
export { type Classifier, type ClassifyContext, classifyLine, createClassifier } from './classifier.js';
export { isContinuationLine, isJulHeader } from './continuation.js';
export { isAtLeast, LEVELS, type Level, parseLevel } from './levels.js';
export { compileUserRules, type UserRule } from './user-rules.js';
