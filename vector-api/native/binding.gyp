{
  "targets": [
    {
      "target_name": "vectorauth_faiss",
      "sources": ["distances-override.cc", "faiss-binding.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_CPP_EXCEPTIONS",
        "NODE_ADDON_API_DISABLE_DEPRECATED",
        "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"
      ],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-O2", "-fexceptions", "-frtti", "-fopenmp"],
      "ldflags": ["-Wl,--allow-multiple-definition"],
      "libraries": [
        "/usr/lib/x86_64-linux-gnu/libfaiss.a",
        "-lopenblas", "-llapack", "-lblas", "-fopenmp", "-lgomp"
      ]
    }
  ]
}
