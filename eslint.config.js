// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** A module may import platform/* and other modules' index.ts only; the platform never imports modules. */
const moduleBoundaries = {
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        {
          regex: '^\\.\\./(?!\\.\\.)[^/]+/(?!index\\.ts$).+',
          message: 'A module may use another module only through its index.ts.',
        },
        {
          regex: '^(\\.\\./)+modules/[^/]+/(?!index\\.ts$).+',
          message: 'Use the module through its index.ts.',
        },
      ],
    },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'coverage/', 'public/', 'dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.js', 'bin/*.js', 'scripts/*.mjs', 'bench/servers/*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/only-throw-error': 'off',
      eqeqeq: ['error', 'always'],
      curly: ['error', 'multi-line'],
    },
  },
  { files: ['bin/*.js', 'scripts/*.mjs', 'bench/servers/*.mjs'], languageOptions: { globals: { console: 'readonly', process: 'readonly', Buffer: 'readonly' } } },
  { files: ['src/modules/*/**/*.{ts,tsx}'], rules: moduleBoundaries },
  {
    files: ['src/platform/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(\\.\\./)+modules/', message: 'The platform must not depend on modules.' }] }],
    },
  },
);
