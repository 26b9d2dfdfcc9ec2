import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';

const eslint = new ESLint();
// Linted as the text of an existing file, so that the type-aware parser knows the path.
const messages = async (code: string, filePath: string) =>
  (await eslint.lintText(code, { filePath }))[0]!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);

describe('module boundaries (lint)', () => {
  it('lets a module import the platform and another module’s index.ts', async () => {
    const code = "import { x } from '../../platform/errors.ts';\nimport { y } from '../other/index.ts';\nexport const z = [x, y];\n";
    expect(await messages(code, 'src/modules/administration/module.ts')).toEqual([]);
  });

  it('refuses a module reaching into another module’s files', async () => {
    const code = "import { y } from '../other/repository.ts';\nexport const z = y;\n";
    expect(await messages(code, 'src/modules/administration/module.ts')).toEqual([expect.stringContaining('A module may use another module only through its index.ts.')]);
  });

  it('refuses the platform importing a module', async () => {
    const code = "import { y } from '../../modules/administration/index.ts';\nexport const z = y;\n";
    expect(await messages(code, 'src/platform/http/security.ts')).toEqual([expect.stringContaining('The platform must not depend on modules.')]);
  });
});
