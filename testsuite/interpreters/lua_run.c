/* A driver for Lua 5.4 (Debian's liblua5.4.a for arm64, linked statically by
 * tests/interpreters.rs): runs the script named by its argument with the standard libraries open
 * and prints the error, if any. Lua's bytecode loop (luaV_execute) dispatches through a switch. */
#include <stdio.h>
#include "lauxlib.h"
#include "lua.h"
#include "lualib.h"

int main(int argc, char **argv) {
    lua_State *state = luaL_newstate();
    luaL_openlibs(state);
    if (argc < 2 || luaL_dofile(state, argv[1]) != LUA_OK) {
        printf("error: %s\n", argc < 2 ? "no script" : lua_tostring(state, -1));
        return 1;
    }
    lua_close(state);
    return 0;
}
