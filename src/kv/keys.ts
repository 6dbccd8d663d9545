/** Keys shared by more than one module. */
export const sessionsEndedKey = (accountId: string): string => `sessions-ended:${accountId}`;
