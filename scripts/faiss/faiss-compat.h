// Debian's FAISS 1.7.3 declares idx_t inside faiss::Index only; faiss-node expects faiss::idx_t.
#pragma once
#include <faiss/Index.h>
namespace faiss {
using idx_t = Index::idx_t;
}
