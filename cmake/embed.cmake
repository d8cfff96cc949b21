# cmake -DIN=file -DOUT=file.c -DNAME=symbol -P embed.cmake
# Writes `const char NAME[]` (NUL-terminated) and `const unsigned long NAME_len`
# holding IN's bytes, so the built-in models need no file at run time.
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" n)
math(EXPR len "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "((0x..,){16})" "\\1\n\t" bytes "${bytes}")
file(WRITE "${OUT}.tmp"
  "/* generated from ${IN} by cmake/embed.cmake: do not edit */\n"
  "const char ${NAME}[] = {\n\t${bytes}0x00};\n"
  "const unsigned long ${NAME}_len = ${len};\n")
file(RENAME "${OUT}.tmp" "${OUT}")
