/**
 * Environment of a program whose AWS SDK talks to a loopback stand-in: the service's endpoint
 * variable (`AWS_ENDPOINT_URL_<SERVICE>`), AWS's documented example credentials, and no instance
 * metadata lookup.
 */
export function awsStandInEnvironment(endpointVariable: string, endpoint: string): Record<string, string> {
  return {
    [endpointVariable]: endpoint,
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}
