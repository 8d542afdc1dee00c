// Native slugify: lower-cases ASCII and collapses runs of non-alphanumerics into one dash.
#include <node_api.h>
#include <string>

static napi_value Slugify(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  size_t len = 0;
  napi_get_value_string_utf8(env, argv[0], nullptr, 0, &len);
  std::string in(len, '\0');
  napi_get_value_string_utf8(env, argv[0], &in[0], len + 1, &len);
  std::string out;
  bool dash = false;
  for (char c : in) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) { out += c; dash = false; }
    else if (c >= 'A' && c <= 'Z') { out += static_cast<char>(c + 32); dash = false; }
    else if (!dash && !out.empty()) { out += '-'; dash = true; }
  }
  if (!out.empty() && out.back() == '-') out.pop_back();
  napi_value result;
  napi_create_string_utf8(env, out.c_str(), out.size(), &result);
  return result;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "slugify", NAPI_AUTO_LENGTH, Slugify, nullptr, &fn);
  napi_set_named_property(env, exports, "slugify", fn);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
