# Writes OUT, a .cpp defining `std::string_view NAMESPACE::FUNCTION()` that returns the bytes of
# IN, so that a program serves a file without reading it at run time (the coordinator's dashboard).
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" hex_length)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
# One line per 32 bytes keeps the generated file readable by compilers and people alike.
string(REGEX REPLACE "(('\\\\x[0-9a-f][0-9a-f]',){32})" "\\1\n" bytes "${bytes}")
math(EXPR size "${hex_length} / 2")
file(WRITE "${OUT}" "// Generated from ${IN} by cmake/embed_file.cmake: do not edit.\n"
  "#include <string_view>\n\nnamespace ${NAMESPACE} {\nnamespace {\n"
  "constexpr char kBytes[${size} + 1] = {\n${bytes}0};\n}  // namespace\n\n"
  "std::string_view ${FUNCTION}() { return std::string_view(kBytes, ${size}); }\n\n"
  "}  // namespace ${NAMESPACE}\n")
