/** A news article or an announcement of a commune's portal. */
export interface ArticleTable {
  id: string;
  unit_id: string;
  origin_unit_id: string;
  /** `news` or `announcement`. */
  kind: string;
  /** Unique within the unit that wrote it; the public address `/xa/:code/bai/:slug`. */
  slug: string;
  title: string;
  summary: string;
  /** Sanitized HTML (allow-listed tags and attributes only). */
  body_html: string;
  category: string;
  /** Cover image (`portal_image.id`). */
  image_id: string | null;
  /** `draft`, `review` (waiting for the approver), `published` or `archived`. */
  status: string;
  pinned: number;
  /** When it appears for the public (a later time schedules it); set when published. */
  publish_at: string | null;
  /** When it disappears for the public. */
  expires_at: string | null;
  /** The approver's reason when the article was sent back. */
  review_note: string | null;
  author_id: string;
  approver_id: string | null;
  /** Folded title, summary and text, for search without diacritics. */
  search_text: string;
  created_at: string;
  updated_at: string;
}

/** Each saved version of an article (its history). */
export interface RevisionTable {
  id: string;
  article_id: string;
  n: number;
  title: string;
  summary: string;
  body_html: string;
  /** What happened: `saved`, `submitted`, `published`, `returned`, `archived`. */
  event: string;
  note: string | null;
  actor_id: string;
  actor_label: string;
  at: string;
}

/** An uploaded picture, resized on upload to two WebP sizes. */
export interface ImageTable {
  id: string;
  unit_id: string;
  large_file_id: string;
  small_file_id: string;
  /** Of the large size. */
  width: number;
  height: number;
  alt: string;
  created_at: string;
}

/** Who makes a local product: a household, a cooperative or an enterprise of the commune. */
export interface ProducerTable {
  id: string;
  unit_id: string;
  origin_unit_id: string;
  name: string;
  /** `household`, `cooperative` or `enterprise`. */
  kind: string;
  representative: string;
  phone: string | null;
  /** A https://zalo.me/… link. */
  zalo: string | null;
  address: string;
  created_at: string;
  updated_at: string;
}

/** A local (or OCOP) product shown on the portal once moderated. */
export interface ProductTable {
  id: string;
  unit_id: string;
  origin_unit_id: string;
  producer_id: string;
  slug: string;
  name: string;
  category: string;
  /** OCOP rating, 3–5 stars; 0 when not rated. */
  ocop_stars: number;
  description_html: string;
  /** In đồng; null: price on request. */
  price: number | null;
  price_unit: string;
  season: string;
  certifications: string;
  traceability: string;
  image_id: string | null;
  /** `pending` (waiting for moderation), `approved` (public) or `hidden` (with the reason). */
  status: string;
  moderation_note: string | null;
  /** Who last changed it: moderation needs another official. */
  edited_by: string;
  moderated_by: string | null;
  search_text: string;
  created_at: string;
  updated_at: string;
}

/** Where a product is sold online: its page on a marketplace. */
export interface ListingTable {
  id: string;
  product_id: string;
  marketplace: string;
  url: string;
  created_at: string;
}

export interface AttachmentTable {
  article_id: string;
  file_id: string;
  created_at: string;
}

declare module '../../platform/db/schema.ts' {
  interface DB {
    portal_article: ArticleTable;
    portal_revision: RevisionTable;
    portal_image: ImageTable;
    portal_producer: ProducerTable;
    portal_product: ProductTable;
    portal_listing: ListingTable;
    portal_attachment: AttachmentTable;
  }
}
