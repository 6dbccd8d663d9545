/**
 * The eID-client stand-in page of the simulator (EID-02, EID-03): shows what the service asks for,
 * lets the citizen deselect ALLOWED fields, pick a test card and enter the PIN. No script, no inline
 * style, so the app's CSP and accessibility checks apply unchanged.
 */
import { TEST_CARDS } from './cards.ts';
import type { SimSession } from './sessions.ts';

export const FIELD_LABELS: Record<string, string> = {
  DocumentType: 'Dokumentart', IssuingState: 'Ausstellender Staat', DateOfExpiry: 'Gültig bis',
  GivenNames: 'Vornamen', FamilyNames: 'Familienname', ArtisticName: 'Ordens- oder Künstlername',
  AcademicTitle: 'Doktorgrad', DateOfBirth: 'Geburtsdatum', PlaceOfBirth: 'Geburtsort', Nationality: 'Staatsangehörigkeit',
  BirthName: 'Geburtsname', PlaceOfResidence: 'Anschrift', CommunityID: 'Wohnort-ID', ResidencePermitI: 'Nebenbestimmungen',
  RestrictedID: 'Pseudonym (dienste- und kartenspezifisches Kennzeichen)', AgeVerification: 'Altersbestätigung',
  PlaceVerification: 'Wohnortbestätigung',
};

export function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function layout(title: string, body: string, cssUrl?: string): string {
  return `<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
${cssUrl ? `<link rel="stylesheet" href="${escapeHtml(cssUrl)}">` : ''}
</head>
<body>
<main class="kern-container">
${body}
</main>
</body>
</html>`;
}

export function errorPage(message: string, cssUrl?: string): string {
  return layout('Fehler – eID-Simulator', `<h1>Online-Ausweisfunktion (Simulator)</h1>\n<p role="alert">${escapeHtml(message)}</p>`, cssUrl);
}

export function clientPage(session: SimSession, cssUrl?: string): string {
  const fields = Object.entries(session.ops).map(([name, need]) => {
    const id = `field-${name}`;
    const label = escapeHtml(FIELD_LABELS[name] ?? name);
    // A disabled checkbox is not submitted, so REQUIRED fields ride along as hidden inputs (EID-02).
    return need === 'REQUIRED'
      ? `<li><input type="checkbox" id="${id}" checked disabled><input type="hidden" name="field" value="${name}">`
        + ` <label for="${id}">${label} (Pflichtangabe)</label></li>`
      : `<li><input type="checkbox" id="${id}" name="field" value="${name}" checked> <label for="${id}">${label} (freiwillig)</label></li>`;
  }).join('\n');
  const cards = TEST_CARDS.map((card, i) =>
    `<li><input type="radio" id="card-${card.id}" name="card" value="${card.id}"${i === 0 ? ' checked' : ''}>`
    + ` <label for="card-${card.id}">${escapeHtml(card.label)}</label></li>`).join('\n');
  const info = session.transactionInfo ? `<p>${escapeHtml(session.transactionInfo)}</p>` : '';
  const body = `<h1>Online-Ausweisfunktion (Simulator)</h1>
<p>Dies ist ein Testsystem. Es werden keine echten Ausweisdaten verwendet.</p>
${info}
<form method="post" action="/eID-Client">
<input type="hidden" name="session" value="${escapeHtml(session.pskId)}">
<fieldset>
<legend>Angefragte Daten</legend>
<ul>
${fields}
</ul>
</fieldset>
<fieldset>
<legend>Testausweis</legend>
<ul>
${cards}
</ul>
</fieldset>
<p><label for="pin">PIN (Test-PIN: 123456)</label><br>
<input type="password" id="pin" name="pin" inputmode="numeric" autocomplete="off" required minlength="6" maxlength="6"></p>
<p><button type="submit" name="action" value="identify">Identifizieren</button>
<button type="submit" name="action" value="cancel" formnovalidate>Abbrechen</button></p>
</form>`;
  return layout('Online-Ausweisfunktion – eID-Simulator', body, cssUrl);
}
