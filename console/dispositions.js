// What each disposition (storage/hits.ts DISPOSITIONS) is called: on the hit cards' answer buttons
// and in the transparency report (DISPOSITION_LABELS there has the same words, which the published
// report files use; test/console/releases.test.ts compares the two).
export const DISPOSITION_LABELS = {
  confirmed: 'Confirmed and acted on',
  misread: 'Misread',
  not_located: 'Could not locate',
  no_action: 'No longer wanted / no action',
  arrest: 'Arrest',
  recovered: 'Vehicle recovered',
  other: 'Other',
};
