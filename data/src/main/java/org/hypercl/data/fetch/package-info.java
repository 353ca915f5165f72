/**
 * Getting datasets onto disk and finding them there: the {@link
 * org.hypercl.data.fetch.KnownDataset}s with their canonical addresses and SHA-256 checksums, a
 * {@link org.hypercl.data.fetch.Fetcher} that downloads, verifies and resumes, and {@link
 * org.hypercl.data.fetch.DataLocations} / {@link org.hypercl.data.fetch.Datasets} for the cache
 * folder ({@code --data-dir}, {@code HYPERCL_DATA}, {@code ~/.hypercl/data}) and system folders.
 */
package org.hypercl.data.fetch;
