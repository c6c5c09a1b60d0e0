// The herald binary: everything lives in herald_lib.
#include "app/commands.hpp"

int main(int argc, char** argv) {
  return herald::app::main_entry(argc, argv);
}
