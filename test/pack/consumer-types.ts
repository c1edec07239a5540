import { join } from 'node:path';
import ts from 'typescript';

/** What a TypeScript consumer of the installed tree sees: the errors in its files and in ours, and the typed exports. */
export interface ConsumerTypes {
  /** Errors (`file(line,col): message`) in the consumer's files and in the installed `ownPackages`' declarations. */
  errors: string[];
  /** The names each module specifier imported by the consumer's files exports in its types. */
  exportNames: Map<string, string[]>;
  /** How many declaration files of `ownPackages` the program read. */
  ownFiles: number;
}

/**
 * Type-checks `files` (in `appDir`) as a strict NodeNext consumer would, with the workspace's TypeScript and
 * @types/node, lib checking on for the declarations of `ownPackages` (installed in `appDir`) only: a
 * declaration that imports what is not installed, or a type that does not resolve, is an error here.
 */
export function checkConsumer(
  appDir: string,
  files: string[],
  ownPackages: string[],
  typesRoot: string,
): ConsumerTypes {
  const program = ts.createProgram(
    files.map((file) => join(appDir, file)),
    {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      // a Node consumer's libraries (@tsconfig/node20's): no DOM, whose declarations cost the most to check
      lib: ['lib.es2022.d.ts'],
      strict: true,
      noEmit: true,
      skipLibCheck: false,
      types: ['node'],
      typeRoots: [typesRoot],
    },
  );
  const ownDirs = ownPackages.map((name) => join(appDir, 'node_modules', name, '/'));
  const consumerFiles = new Set(files.map((file) => join(appDir, file)));
  const checked = program
    .getSourceFiles()
    .filter(
      (file) => consumerFiles.has(file.fileName) || ownDirs.some((dir) => file.fileName.startsWith(dir)),
    );
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...checked.flatMap((file) => [
      ...program.getSyntacticDiagnostics(file),
      ...program.getSemanticDiagnostics(file),
    ]),
  ];
  const checker = program.getTypeChecker();
  const exportNames = new Map<string, string[]>();
  for (const file of checked.filter((f) => consumerFiles.has(f.fileName))) {
    for (const statement of file.statements) {
      const specifier = ts.isImportDeclaration(statement)
        ? statement.moduleSpecifier
        : ts.isImportEqualsDeclaration(statement) && ts.isExternalModuleReference(statement.moduleReference)
          ? statement.moduleReference.expression
          : undefined;
      if (!specifier || !ts.isStringLiteral(specifier)) continue;
      const symbol = checker.getSymbolAtLocation(specifier);
      exportNames.set(specifier.text, symbol ? checker.getExportsOfModule(symbol).map((s) => s.name) : []);
    }
  }
  return {
    errors: diagnostics.map(format),
    exportNames,
    ownFiles: checked.length - consumerFiles.size,
  };
}

function format(diagnostic: ts.Diagnostic): string {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
  if (!diagnostic.file || diagnostic.start === undefined) return message;
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  return `${diagnostic.file.fileName}(${line + 1},${character + 1}): ${message}`;
}
