{
  "targets": [
    {
      "target_name": "faiss-node",
      "sources": ["distances-override.cc", "../../node_modules/faiss-node/src/faiss.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-frtti", "-fopenmp", "-include", "<(module_root_dir)/faiss-compat.h"],
      "ldflags": ["-Wl,--allow-multiple-definition"],
      "libraries": [
        "/usr/lib/x86_64-linux-gnu/libfaiss.a",
        "-lopenblas", "-llapack", "-lblas", "-fopenmp", "-lgomp"
      ]
    }
  ]
}
