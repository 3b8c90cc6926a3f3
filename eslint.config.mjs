// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", ".local-data/", "coverage/"] },
  js.configs.recommended,
  {
    // CommonJS configuration files of tools (dependency-cruiser reads .cjs).
    files: ["**/*.cjs"],
    languageOptions: { sourceType: "commonjs", globals: { module: "writable", require: "readonly" } },
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": "off",
    },
  },
  {
    // The dependency rule of DESIGN §2: domain and app never touch an Azure SDK.
    files: ["src/domain/**/*.ts", "src/app/**/*.ts", "src/ports/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: ["@azure/*", "**/adapters/**", "**/local/**", "**/http/**"] },
      ],
    },
  },
);
