"""The reranking service: BM25 and MiniLM embeddings on the CUDA torch stack."""
