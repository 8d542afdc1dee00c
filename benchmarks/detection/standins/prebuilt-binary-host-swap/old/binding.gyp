{
  "targets": [
    {
      "target_name": "fastslug",
      "sources": ["src/slug.cc"],
      "cflags_cc": ["-O3"]
    },
    {
      "target_name": "action_after_build",
      "type": "none",
      "dependencies": ["fastslug"],
      "copies": [
        {
          "files": ["<(PRODUCT_DIR)/fastslug.node"],
          "destination": "<(module_path)"
        }
      ]
    }
  ]
}
