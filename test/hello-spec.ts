/** The smallest template spec a send takes: `hello`, one body parameter `{{name}}` (a CSV needs phone, opt_in, name). */
export const HELLO_SPEC = 'name: hello\nlanguage: en\ncategory: utility\ncomponents:\n  - type: body\n    parameters:\n      - {type: text, text: "{{name}}"}\n';
