/**
 * TC token (TR-03124-1 §2.6, EID.md §3.3): the XML the citizen's eID client fetches from our
 * tcTokenURL to learn where the eID-Server is and which PSK secures the channel to it.
 */
import { z } from 'zod';

export const tcTokenSessionSchema = z.object({
  serverAddress: z.string(),
  sessionIdentifier: z.string(),
  refreshAddress: z.string(),
  communicationErrorAddress: z.string().optional(),
  psk: z.string().regex(/^[0-9a-fA-F]+$/),
});
export type TcTokenSession = z.infer<typeof tcTokenSessionSchema>;

function esc(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** No prolog and no namespace: AusweisApp and the Governikus XSD expect the bare fragment. */
export function tcTokenXml(session: TcTokenSession): string {
  const lines = [
    '<TCTokenType>',
    `  <ServerAddress>${esc(session.serverAddress)}</ServerAddress>`,
    `  <SessionIdentifier>${esc(session.sessionIdentifier)}</SessionIdentifier>`,
    `  <RefreshAddress>${esc(session.refreshAddress)}</RefreshAddress>`,
    ...(session.communicationErrorAddress
      ? [`  <CommunicationErrorAddress>${esc(session.communicationErrorAddress)}</CommunicationErrorAddress>`] : []),
    '  <Binding>urn:liberty:paos:2006-08</Binding>',
    '  <PathSecurity-Protocol>urn:ietf:rfc:4279</PathSecurity-Protocol>',
    `  <PathSecurity-Parameters><PSK>${esc(session.psk)}</PSK></PathSecurity-Parameters>`,
    '</TCTokenType>',
  ];
  return lines.join('\n');
}
