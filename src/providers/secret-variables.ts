/** Environment variables that hold secrets: removed from everything stored or printed. */
export interface SecretVariables {
  /** Each a secret by itself (a token, an API key). */
  variables: readonly string[];
  /** HTTP Basic pairs (user variable, secret variable): base64 of `user:secret` is a secret too. */
  basicPairs?: readonly (readonly [user: string, secret: string])[];
}
