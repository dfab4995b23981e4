# package.cmake: the install rules and the Debian package (CPack), included
# from the top CMakeLists.txt; `make deb` builds sangkien_VERSION_amd64.deb.
#
# The package holds the two programs, the shipped rubrics and the web
# application under /usr/share/sangkien, the manual pages (compressed), the
# systemd units (the server, the daily backup and its timer), the
# configuration file (a conffile: upgrades keep local edits), and the
# maintainer scripts of this folder.  Its Depends are computed by
# dpkg-shlibdeps from the linked libraries, plus adduser for postinst and
# the documents' font.
set(SK_DIST ${CMAKE_SOURCE_DIR}/core/server/dist)
# Who builds the package: set SK_MAINTAINER (cmake -DSK_MAINTAINER=...) to
# the province's own address.
set(SK_MAINTAINER "sangkien maintainers <sangkien@example.org>" CACHE STRING
	"the Maintainer of the Debian package")

install(TARGETS sangkiend sangkien RUNTIME DESTINATION bin)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/rubrics/
	DESTINATION share/sangkien/rubrics FILES_MATCHING PATTERN "*.lua")
install(DIRECTORY ${CMAKE_SOURCE_DIR}/ipc/web/
	DESTINATION share/sangkien/web)
install(PROGRAMS ${SK_DIST}/sangkien-backup DESTINATION libexec/sangkien)
install(FILES ${SK_DIST}/sangkiend.conf DESTINATION /etc/sangkien)
install(FILES ${SK_DIST}/sangkiend.service ${SK_DIST}/sangkien-backup.service
	${SK_DIST}/sangkien-backup.timer DESTINATION /lib/systemd/system)

# Manual pages and the changelog, compressed (gzip -n: no name or time
# stamp, so the package is the same from one build to the next).
string(TIMESTAMP SK_CHANGELOG_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)
configure_file(${SK_DIST}/changelog.in ${CMAKE_BINARY_DIR}/dist/changelog @ONLY)
set(SK_GZ)
foreach(pair
		"${SK_DIST}/sangkiend.8|sangkiend.8.gz"
		"${CMAKE_SOURCE_DIR}/ipc/cli/sangkien.1|sangkien.1.gz"
		"${CMAKE_BINARY_DIR}/dist/changelog|changelog.gz")
	string(REPLACE "|" ";" pair "${pair}")
	list(GET pair 0 src)
	list(GET pair 1 gz)
	add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/dist/${gz}
		COMMAND gzip -9n -c ${src} > ${CMAKE_BINARY_DIR}/dist/${gz}
		DEPENDS ${src} VERBATIM)
	list(APPEND SK_GZ ${CMAKE_BINARY_DIR}/dist/${gz})
endforeach()
add_custom_target(sk_dist_gz ALL DEPENDS ${SK_GZ})
install(FILES ${CMAKE_BINARY_DIR}/dist/sangkiend.8.gz DESTINATION share/man/man8)
install(FILES ${CMAKE_BINARY_DIR}/dist/sangkien.1.gz DESTINATION share/man/man1)
install(FILES ${CMAKE_BINARY_DIR}/dist/changelog.gz ${SK_DIST}/copyright
	DESTINATION share/doc/sangkien)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME sangkien)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_CONTACT "${SK_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
	"server for Vietnam's workplace-initiative (sang kien) procedure")
set(CPACK_PACKAGE_DESCRIPTION
"sangkien carries a province's workplace-initiative procedure end to end:
the author's draft, the unit council, the provincial council, recognition.
It keeps every step on a tamper-evident record in LMDB, scores with Lua
rubrics, answers a JSON protocol over nng sockets and serves a web
application.  This package runs it as a systemd service with a daily
verified backup.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Not libraries, so not found by dpkg-shlibdeps: adduser for postinst, the
# font of the PDF documents (core/model/paperpdf.c).
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, fonts-noto-core")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
	${SK_DIST}/postinst ${SK_DIST}/prerm ${SK_DIST}/postrm ${SK_DIST}/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)
