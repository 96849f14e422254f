"""Photo pipeline core: inspect uploads, verify digests, make derivatives, store blobs; no HTTP."""
