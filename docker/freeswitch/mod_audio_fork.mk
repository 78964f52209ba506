# Out-of-tree build of mod_audio_fork (drachtio-freeswitch-modules, MIT) against an
# installed FreeSWITCH, instead of patching it into the FreeSWITCH source tree as the
# upstream instructions do.
#
#   make -f mod_audio_fork.mk SRC_DIR=/path/to/drachtio-freeswitch-modules/modules/mod_audio_fork
#   make -f mod_audio_fork.mk SRC_DIR=... install [DESTDIR=/staging]
#
# Needs: libfreeswitch-dev (freeswitch.pc, the same version as the running FreeSWITCH),
# libwebsockets-dev, libspeexdsp-dev (the module's resampler), g++, pkg-config.
# The module directory comes from freeswitch.pc (Debian packages: /usr/lib/freeswitch/mod).

MODNAME  := mod_audio_fork
SRC_DIR  ?= .
PKGS     := freeswitch libwebsockets speexdsp

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS))
MODDIR     ?= $(shell pkg-config --variable=modulesdir freeswitch)

CFLAGS   ?= -O2 -g
CXXFLAGS ?= -O2 -g
CFLAGS   += -fPIC -Wall $(PKG_CFLAGS)
CXXFLAGS += -fPIC -Wall -std=c++17 $(PKG_CFLAGS)
LDLIBS   += $(PKG_LIBS) -lpthread

C_SRCS   := $(wildcard $(SRC_DIR)/*.c)
CXX_SRCS := $(wildcard $(SRC_DIR)/*.cpp)
OBJS     := $(C_SRCS:.c=.o) $(CXX_SRCS:.cpp=.o)

.PHONY: all install clean check-src

all: check-src $(MODNAME).so

check-src:
	@test -f "$(SRC_DIR)/$(MODNAME).c" || { echo "no $(MODNAME).c in SRC_DIR=$(SRC_DIR)" >&2; exit 1; }
	@test -n "$(MODDIR)" || { echo "pkg-config knows no freeswitch modulesdir (libfreeswitch-dev missing?)" >&2; exit 1; }

$(MODNAME).so: $(OBJS)
	$(CXX) -shared -o $@ $^ $(LDFLAGS) -Wl,--no-undefined $(LDLIBS)

install: all
	install -D -m 0644 $(MODNAME).so $(DESTDIR)$(MODDIR)/$(MODNAME).so

clean:
	rm -f $(OBJS) $(MODNAME).so
