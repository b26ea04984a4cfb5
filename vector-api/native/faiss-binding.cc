// The vector API's binding to FAISS (Debian's libfaiss 1.7.3), in place of faiss-node, whose
// search and serialization leak native memory on every call. What this file allocates it frees:
// buffers are std::vector or owned by JavaScript, the index is owned by its wrapper and freed by
// dispose() or by the garbage collector, whichever comes first. Vectors cross as Float32Array views
// without copies into JavaScript arrays. Every FAISS or allocation error becomes a JavaScript
// Error; none escapes as a C++ exception.
#include <napi.h>

#include <faiss/Index.h>
#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/impl/HNSW.h>
#include <faiss/impl/AuxIndexStructures.h>
#include <faiss/impl/IDSelector.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/io.h>
#include <faiss/index_factory.h>
#include <faiss/index_io.h>
#include <faiss/utils/distances.h>
#include <omp.h>
#include <sys/mman.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>
#include <memory>
#include <string>
#include <vector>

extern "C" void openblas_set_num_threads(int);

namespace {

// From how many queries per call a flat index computes with BLAS, by metric (setBlasThreshold).
// FAISS 1.7.3 has one process-wide threshold, and its L2 BLAS path recomputes every stored
// vector's norm on each call: for one query it costs twice the scan, so L2 waits for a few queries.
int blasFromIp = 20;
int blasFromL2 = 20;

using idx_t = faiss::Index::idx_t;

/** Reads a serialized index straight from a JavaScript buffer, without copying it first. */
struct SpanReader : faiss::IOReader {
  const uint8_t* data;
  size_t size;
  size_t at = 0;
  SpanReader(const uint8_t* d, size_t n) : data(d), size(n) { name = "buffer"; }
  size_t operator()(void* ptr, size_t itemSize, size_t items) override {
    if (itemSize == 0 || items == 0) return 0;
    size_t whole = (size - at) / itemSize;
    size_t n = items < whole ? items : whole;
    std::memcpy(ptr, data + at, n * itemSize);
    at += n * itemSize;
    return n;
  }
};

/** Runs `body`, turning any C++ exception into a pending JavaScript Error. */
template <typename F>
Napi::Value guarded(Napi::Env env, F body) {
  try {
    return body();
  } catch (const faiss::FaissException& e) {
    Napi::Error::New(env, std::string("FAISS: ") + e.msg).ThrowAsJavaScriptException();
  } catch (const std::bad_alloc&) {
    Napi::Error::New(env, "FAISS: out of memory").ThrowAsJavaScriptException();
  } catch (const std::exception& e) {
    Napi::Error::New(env, std::string("FAISS: ") + e.what()).ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

Napi::Float32Array floatsArg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (info.Length() <= i || !info[i].IsTypedArray() ||
      info[i].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a Float32Array");
  }
  return info[i].As<Napi::Float32Array>();
}

int64_t integerArg(const Napi::CallbackInfo& info, size_t i, const char* what, int64_t min, int64_t max) {
  if (info.Length() <= i || !info[i].IsNumber()) {
    throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a number");
  }
  double v = info[i].As<Napi::Number>().DoubleValue();
  if (!(v >= static_cast<double>(min) && v <= static_cast<double>(max)) || v != static_cast<double>(static_cast<int64_t>(v))) {
    throw Napi::RangeError::New(info.Env(), std::string(what) + " is out of range");
  }
  return static_cast<int64_t>(v);
}

faiss::MetricType metricArg(const Napi::CallbackInfo& info, size_t i) {
  std::string metric = info.Length() > i && info[i].IsString() ? info[i].As<Napi::String>().Utf8Value() : "";
  if (metric == "l2") return faiss::METRIC_L2;
  if (metric == "ip") return faiss::METRIC_INNER_PRODUCT;
  throw Napi::TypeError::New(info.Env(), "metric must be 'l2' or 'ip'");
}

class FaissIndex : public Napi::ObjectWrap<FaissIndex> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "FaissIndex",
                       {
                           InstanceMethod("dimension", &FaissIndex::Dimension),
                           InstanceMethod("size", &FaissIndex::Size),
                           InstanceMethod("add", &FaissIndex::Add),
                           InstanceMethod("removePositions", &FaissIndex::RemovePositions),
                           InstanceMethod("search", &FaissIndex::Search),
                           InstanceMethod("vectorsAt", &FaissIndex::VectorsAt),
                           InstanceMethod("serialize", &FaissIndex::Serialize),
                           InstanceMethod("writeFile", &FaissIndex::WriteFile),
                           InstanceMethod("dispose", &FaissIndex::Dispose),
                           InstanceMethod("kind", &FaissIndex::Kind),
                           InstanceMethod("bytes", &FaissIndex::Bytes),
                           InstanceMethod("hugePages", &FaissIndex::HugePages),
                           StaticMethod("create", &FaissIndex::Create),
                           StaticMethod("createHnsw", &FaissIndex::CreateHnsw),
                           StaticMethod("deserialize", &FaissIndex::Deserialize),
                           StaticMethod("readFile", &FaissIndex::ReadFile),
                       });
  }

  explicit FaissIndex(const Napi::CallbackInfo& info) : Napi::ObjectWrap<FaissIndex>(info) {}
  // Garbage collection, or the thread's environment going away: free the index and call nothing
  // of N-API, which is not to be used while an environment is torn down (V8's count of external
  // memory is left as it is; dispose(), from JavaScript, keeps it exact).
  ~FaissIndex() override { index_.reset(); }

 private:
  std::unique_ptr<faiss::Index> index_;
  int64_t reported_ = 0;

  static Napi::Value wrap(Napi::Env env, faiss::Index* raw) {
    std::unique_ptr<faiss::Index> owned(raw);
    Napi::Object obj = env.GetInstanceData<Napi::FunctionReference>()->New({});
    FaissIndex* self = Unwrap(obj);
    self->index_ = std::move(owned);
    self->report(env);
    return obj;
  }

  /** Tells V8 how much native memory this index holds, so that garbage collection sees it. */
  void report(Napi::Env env) {
    int64_t now = index_ ? static_cast<int64_t>(memoryOf(*index_)) : 0;
    if (now != reported_) Napi::MemoryManagement::AdjustExternalMemory(env, now - reported_);
    reported_ = now;
  }

  void release() {
    if (index_ && reported_ != 0) Napi::MemoryManagement::AdjustExternalMemory(Env(), -reported_);
    reported_ = 0;
    index_.reset();
  }

  /** The HNSW index this is, or null for a flat one. */
  static const faiss::IndexHNSW* hnswOf(const faiss::Index& index) {
    return dynamic_cast<const faiss::IndexHNSW*>(&index);
  }

  /** The flat array of vectors behind the index (itself when flat, the storage of an HNSW), or null. */
  static const faiss::IndexFlat* flatOf(const faiss::Index& index) {
    if (const auto* hnsw = hnswOf(index)) return dynamic_cast<const faiss::IndexFlat*>(hnsw->storage);
    return dynamic_cast<const faiss::IndexFlat*>(&index);
  }

  /**
   * Asks the kernel to back [data, data + bytes) with 2 MiB pages (the whole 2 MiB pages inside
   * it): MADV_HUGEPAGE, then MADV_COLLAPSE (Linux 6.1+) to move what is already there. Walks of a
   * large graph touch vectors all over memory, and with 4 KiB pages nearly every one is a TLB miss.
   * Advice only: a kernel or a memory state that refuses it changes nothing. Returns bytes advised.
   */
  static size_t adviseHuge(const void* data, size_t bytes) {
    constexpr uintptr_t kHuge = 2u << 20;
    uintptr_t begin = (reinterpret_cast<uintptr_t>(data) + kHuge - 1) & ~(kHuge - 1);
    uintptr_t end = (reinterpret_cast<uintptr_t>(data) + bytes) & ~(kHuge - 1);
    if (end <= begin) return 0;
    void* at = reinterpret_cast<void*>(begin);
    size_t length = static_cast<size_t>(end - begin);
    if (madvise(at, length, MADV_HUGEPAGE) != 0) return 0;
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
    madvise(at, length, MADV_COLLAPSE);
    return length;
  }

  // hugePages(): advises the index's vectors (and a graph's neighbour lists) onto 2 MiB pages;
  // the bytes advised.
  Napi::Value HugePages(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    faiss::Index& index = live(env);
    size_t advised = 0;
    if (const auto* flat = flatOf(index)) advised += adviseHuge(flat->codes.data(), flat->codes.size());
    if (const auto* h = hnswOf(index)) {
      advised += adviseHuge(h->hnsw.neighbors.data(),
                            h->hnsw.neighbors.size() * sizeof(faiss::HNSW::storage_idx_t));
    }
    return Napi::Number::New(env, static_cast<double>(advised));
  }

  /** Bytes the index holds: its vectors, and for HNSW its graph (neighbours, levels, offsets). */
  static size_t memoryOf(const faiss::Index& index) {
    size_t bytes = static_cast<size_t>(index.ntotal) * static_cast<size_t>(index.d) * sizeof(float);
    if (const auto* h = hnswOf(index)) {
      bytes += h->hnsw.neighbors.capacity() * sizeof(faiss::HNSW::storage_idx_t) +
               h->hnsw.levels.capacity() * sizeof(int) + h->hnsw.offsets.capacity() * sizeof(size_t);
    }
    return bytes;
  }

  faiss::Index& live(Napi::Env env) {
    if (!index_) throw Napi::Error::New(env, "the index has been disposed of");
    return *index_;
  }

  // create(dimension, metric: 'l2' | 'ip', description = 'Flat')
  static Napi::Value Create(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    int64_t d = integerArg(info, 0, "dimension", 1, 65536);
    faiss::MetricType metric = metricArg(info, 1);
    std::string description = info.Length() > 2 && info[2].IsString() ? info[2].As<Napi::String>().Utf8Value() : "Flat";
    return guarded(env, [&]() {
      return wrap(env, faiss::index_factory(static_cast<int>(d), description.c_str(), metric));
    });
  }

  // createHnsw(dimension, metric: 'l2' | 'ip', m, efConstruction): an HNSW graph over flat vectors.
  static Napi::Value CreateHnsw(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    int64_t d = integerArg(info, 0, "dimension", 1, 65536);
    faiss::MetricType metric = metricArg(info, 1);
    int64_t m = integerArg(info, 2, "m", 2, 256);
    int64_t efConstruction = integerArg(info, 3, "efConstruction", 1, 65536);
    return guarded(env, [&]() {
      auto* index = new faiss::IndexHNSWFlat(static_cast<int>(d), static_cast<int>(m), metric);
      index->hnsw.efConstruction = static_cast<int>(efConstruction);
      return wrap(env, index);
    });
  }

  static Napi::Value Deserialize(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsTypedArray() ||
        info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
      throw Napi::TypeError::New(env, "expected a Buffer or Uint8Array");
    }
    auto buffer = info[0].As<Napi::Uint8Array>();
    return guarded(env, [&]() {
      SpanReader reader(buffer.Data(), buffer.ElementLength());
      return wrap(env, faiss::read_index(&reader));
    });
  }

  static Napi::Value ReadFile(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(env, "expected a path");
    std::string path = info[0].As<Napi::String>();
    return guarded(env, [&]() { return wrap(env, faiss::read_index(path.c_str())); });
  }

  Napi::Value Kind(const Napi::CallbackInfo& info) {
    return Napi::String::New(info.Env(), hnswOf(live(info.Env())) ? "hnsw" : "flat");
  }

  Napi::Value Bytes(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(memoryOf(live(info.Env()))));
  }

  Napi::Value Dimension(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), live(info.Env()).d);
  }

  Napi::Value Size(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(live(info.Env()).ntotal));
  }

  // add(vectors: Float32Array), row-major, a whole number of rows.
  Napi::Value Add(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    faiss::Index& index = live(env);
    auto vectors = floatsArg(info, 0, "vectors");
    if (vectors.ElementLength() % index.d != 0) throw Napi::RangeError::New(env, "vectors do not divide into the dimension");
    idx_t n = static_cast<idx_t>(vectors.ElementLength() / index.d);
    return guarded(env, [&]() {
      if (n > 0) index.add(n, vectors.Data());
      report(env);
      return env.Undefined();
    });
  }

  // removePositions(labels: Float64Array | number[]): number removed; later positions shift down.
  Napi::Value RemovePositions(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    faiss::Index& index = live(env);
    std::vector<idx_t> ids;
    if (info.Length() > 0 && info[0].IsTypedArray() &&
        info[0].As<Napi::TypedArray>().TypedArrayType() == napi_float64_array) {
      auto a = info[0].As<Napi::Float64Array>();
      ids.assign(a.Data(), a.Data() + a.ElementLength());
    } else if (info.Length() > 0 && info[0].IsArray()) {
      auto a = info[0].As<Napi::Array>();
      ids.reserve(a.Length());
      for (uint32_t i = 0; i < a.Length(); i++) ids.push_back(static_cast<idx_t>(a.Get(i).As<Napi::Number>().Int64Value()));
    } else {
      throw Napi::TypeError::New(env, "labels must be a Float64Array or an array of numbers");
    }
    return guarded(env, [&]() {
      faiss::IDSelectorBatch selector(ids.size(), ids.data());
      size_t removed = index.remove_ids(selector);
      report(env);
      return Napi::Number::New(env, static_cast<double>(removed));
    });
  }

  // search(queries: Float32Array, k, only?: Uint8Array, ef?: number, exact?: boolean):
  // { distances: Float32Array, labels: Float64Array }, nq x k each, label -1 where fewer than k were
  // found. With `only`, a bitmap over positions (bit i % 8 of byte i / 8), only those positions are
  // candidates. A flat index, or an HNSW one with `exact`, is scanned (exact); an HNSW index is
  // otherwise walked with a candidate list of max(ef, k + margin) (approximate). See `rescore` for
  // what the distances are.
  Napi::Value Search(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    faiss::Index& index = live(env);
    auto queries = floatsArg(info, 0, "queries");
    int64_t k = integerArg(info, 1, "k", 1, 100000);
    if (queries.ElementLength() % index.d != 0) throw Napi::RangeError::New(env, "queries do not divide into the dimension");
    idx_t nq = static_cast<idx_t>(queries.ElementLength() / index.d);
    const uint8_t* only = nullptr;
    size_t onlyBytes = 0;
    if (info.Length() > 2 && !info[2].IsUndefined()) {
      if (!info[2].IsTypedArray() || info[2].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
        throw Napi::TypeError::New(env, "only must be a Uint8Array bitmap");
      }
      auto bitmap = info[2].As<Napi::Uint8Array>();
      only = bitmap.Data();
      onlyBytes = bitmap.ElementLength();
    }
    int64_t ef = info.Length() > 3 && !info[3].IsUndefined() ? integerArg(info, 3, "ef", 0, 65536) : 0;
    bool exact = info.Length() > 4 && info[4].IsBoolean() && info[4].As<Napi::Boolean>().Value();
    auto distances = Napi::Float32Array::New(env, static_cast<size_t>(nq * k));
    auto labels = Napi::Float64Array::New(env, static_cast<size_t>(nq * k));
    return guarded(env, [&]() {
      // A few more candidates than asked for, so that rescoring decides the last places too.
      idx_t fetch = std::min<idx_t>(k + kRescoreMargin, std::max<idx_t>(index.ntotal, 1));
      fetch = std::max<idx_t>(fetch, k);
      std::vector<float> rough(static_cast<size_t>(nq * fetch));
      std::vector<idx_t> found(static_cast<size_t>(nq * fetch), -1);
      faiss::distance_compute_blas_threshold =
          index.metric_type == faiss::METRIC_L2 ? blasFromL2 : blasFromIp;
      const faiss::Index* target = &index;
      if (auto* hnsw = dynamic_cast<faiss::IndexHNSW*>(&index)) {
        if (exact) {
          target = hnsw->storage;
        } else {
          // FAISS 1.7.3 reads efSearch from the index, not from SearchParametersHNSW.
          hnsw->hnsw.efSearch = static_cast<int>(std::max<int64_t>(ef, fetch));
        }
      }
      if (nq > 0 && only) {
        faiss::IDSelectorBitmap selector(onlyBytes, only);
        faiss::SearchParametersHNSW params;  // an HNSW index takes only these; a flat one any
        params.sel = &selector;
        params.efSearch = static_cast<int>(std::max<int64_t>(ef, fetch));
        target->search(nq, queries.Data(), fetch, rough.data(), found.data(), &params);
      } else if (nq > 0) {
        target->search(nq, queries.Data(), fetch, rough.data(), found.data());
      }
      rescore(index, queries.Data(), nq, fetch, found, k, distances.Data(), labels.Data());
      Napi::Object result = Napi::Object::New(env);
      result.Set("distances", distances);
      result.Set("labels", labels);
      return result;
    });
  }

  static constexpr idx_t kRescoreMargin = 8;

  /**
   * FAISS's float32 distances depend on the code path (a scan or BLAS), on a vector's position in
   * the index and on which other queries share the call, in the last bits. Each candidate is
   * scored again here in double precision, in one fixed order, and the candidates sorted by that
   * (best first, ties by position): a search's scores and order are then the same however the
   * index was built or loaded and whatever batch the query was in, and L2 distances are exact
   * where FAISS's BLAS form (|x|² + |y|² - 2x·y) loses small ones.
   */
  static void rescore(const faiss::Index& index, const float* queries, idx_t nq, idx_t fetch,
                      const std::vector<idx_t>& found, idx_t k, float* outDistances, double* outLabels) {
    const size_t d = static_cast<size_t>(index.d);
    const bool l2 = index.metric_type == faiss::METRIC_L2;
    const auto* flat = flatOf(index);
    std::vector<float> stored(d);
    std::vector<std::pair<double, idx_t>> scored;
    scored.reserve(static_cast<size_t>(fetch));
    for (idx_t q = 0; q < nq; q++) {
      const float* x = queries + q * d;
      scored.clear();
      for (idx_t j = 0; j < fetch; j++) {
        idx_t label = found[static_cast<size_t>(q * fetch + j)];
        if (label < 0) continue;
        const float* y = stored.data();
        if (flat) y = flat->get_xb() + static_cast<size_t>(label) * d;
        else index.reconstruct(label, stored.data());
        double score = 0;
        if (l2) {
          for (size_t i = 0; i < d; i++) {
            double diff = static_cast<double>(x[i]) - static_cast<double>(y[i]);
            score += diff * diff;
          }
        } else {
          for (size_t i = 0; i < d; i++) score += static_cast<double>(x[i]) * static_cast<double>(y[i]);
        }
        scored.emplace_back(l2 ? score : -score, label);  // ascending = best first
      }
      std::sort(scored.begin(), scored.end());
      for (idx_t j = 0; j < k; j++) {
        size_t at = static_cast<size_t>(q * k + j);
        if (static_cast<size_t>(j) < scored.size()) {
          const auto& [key, label] = scored[static_cast<size_t>(j)];
          outDistances[at] = static_cast<float>(l2 ? key : -key);
          outLabels[at] = static_cast<double>(label);
        } else {
          outDistances[at] = l2 ? INFINITY : -INFINITY;
          outLabels[at] = -1;
        }
      }
    }
  }

  // vectorsAt(labels: Float64Array): Float32Array, the stored vectors at these positions, row-major.
  Napi::Value VectorsAt(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    faiss::Index& index = live(env);
    if (info.Length() < 1 || !info[0].IsTypedArray() ||
        info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
      throw Napi::TypeError::New(env, "labels must be a Float64Array");
    }
    auto labels = info[0].As<Napi::Float64Array>();
    const size_t d = static_cast<size_t>(index.d);
    for (size_t i = 0; i < labels.ElementLength(); i++) {
      double label = labels[i];
      if (!(label >= 0 && label < static_cast<double>(index.ntotal)) || label != static_cast<double>(static_cast<idx_t>(label))) {
        throw Napi::RangeError::New(env, "a label is not a position in the index");
      }
    }
    auto out = Napi::Float32Array::New(env, labels.ElementLength() * d);
    return guarded(env, [&]() {
      for (size_t i = 0; i < labels.ElementLength(); i++) {
        index.reconstruct(static_cast<idx_t>(labels[i]), out.Data() + i * d);
      }
      return out;
    });
  }

  Napi::Value Serialize(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    faiss::Index& index = live(env);
    return guarded(env, [&]() {
      faiss::VectorIOWriter writer;
      faiss::write_index(&index, &writer);
      return Napi::Buffer<uint8_t>::Copy(env, writer.data.data(), writer.data.size());
    });
  }

  Napi::Value WriteFile(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    faiss::Index& index = live(env);
    if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(env, "expected a path");
    std::string path = info[0].As<Napi::String>();
    return guarded(env, [&]() {
      faiss::write_index(&index, path.c_str());
      return env.Undefined();
    });
  }

  /** Frees the index now rather than at garbage collection; the wrapper refuses further calls. */
  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    release();
    return info.Env().Undefined();
  }
};

// setThreads(n): OpenMP threads for this thread's FAISS calls, and OpenBLAS's own pool.
Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  int64_t n = integerArg(info, 0, "threads", 1, 1024);
  omp_set_num_threads(static_cast<int>(n));
  openblas_set_num_threads(static_cast<int>(n));
  return info.Env().Undefined();
}

// setBlasThreshold(ip, l2 = ip): from how many queries per call a flat index uses BLAS, for inner
// product and for L2 indexes (process-wide).
Napi::Value SetBlasThreshold(const Napi::CallbackInfo& info) {
  blasFromIp = static_cast<int>(integerArg(info, 0, "threshold", 1, 1 << 30));
  blasFromL2 = info.Length() > 1 ? static_cast<int>(integerArg(info, 1, "l2 threshold", 1, 1 << 30)) : blasFromIp;
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  Napi::Function cls = FaissIndex::Define(env);
  // One constructor per environment: each worker thread that loads the binding has its own.
  env.SetInstanceData<Napi::FunctionReference>(new Napi::FunctionReference(Napi::Persistent(cls)));
  exports.Set("FaissIndex", cls);
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("setBlasThreshold", Napi::Function::New(env, SetBlasThreshold));
  return exports;
}

}  // namespace

NODE_API_MODULE(vectorauth_faiss, Init)
