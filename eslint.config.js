// Lint: ESLint's recommended rules plus typescript-eslint's type-aware strict set.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.wrangler/', 'lab-report/', 'bench-results/', 'test-artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  // The layout's rules (docs/architecture.md), checked rather than hoped for.
  {
    // The server core names no runtime: no Bun or Deno globals, no runtime modules, nothing outside src/.
    files: ['src/**/*.ts', 'src/**/*.js'],
    ignores: ['src/**/*.test.ts'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'Bun', message: 'src/ names no runtime: put this in adapters/bun/' },
        { name: 'Deno', message: 'src/ names no runtime: put this in adapters/deno/' },
        {
          name: 'process',
          message: 'src/ names no runtime: take it as a parameter (see src/serve/listener.ts HostProcess)',
        },
      ],
      'no-restricted-imports': [
        'error',
        {
          // node:util's parseArgs is the one exception: Node, Bun and Deno all provide it (src/cli.ts).
          patterns: [
            { regex: '^node:(?!util$)', message: 'src/ names no runtime module: put this in an adapter' },
            { regex: '^(\\.\\./)+(adapters|tools|test)/', message: 'src/ imports nothing outside src/' },
          ],
        },
      ],
    },
  },
  {
    // A runtime's folder does not reach into another runtime's: what two share has its own folder.
    files: ['adapters/**/*.ts', 'adapters/**/*.js'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./(node|bun|deno|cloudflare)/',
              message:
                'adapters/<runtime>/ imports no other runtime: move shared code to a folder of its own (tinypool/, reuse-port/, process-stats/, ipc/)',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly', performance: 'readonly' } },
  },
);
