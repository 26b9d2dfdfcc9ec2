/** The radio's pages start here. */
export const RADIO = '/truyen-thanh';
