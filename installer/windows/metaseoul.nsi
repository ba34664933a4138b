; The Windows installer of metaseoul's standalone build (installer/packages.py runs makensis with
; -DVERSION, -DBUILD_DIR: the build's folder, and -DOUT_FILE). Installs for all users in Program Files,
; with Start-menu entries and an uninstaller registered in Apps & features.
Unicode true
SetCompressor /SOLID lzma
RequestExecutionLevel admin

!define APP "Metaverse Seoul"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\metaseoul"

Name "${APP} ${VERSION}"
OutFile "${OUT_FILE}"
InstallDir "$PROGRAMFILES64\metaseoul"
InstallDirRegKey HKLM "Software\metaseoul" "InstallDir"

!include "MUI2.nsh"
!insertmacro MUI_PAGE_LICENSE "${BUILD_DIR}\LICENSE"
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "Korean"
!insertmacro MUI_LANGUAGE "English"

Section "metaseoul"
  SetOutPath "$INSTDIR"
  File /r /x ".complete" "${BUILD_DIR}\*"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  WriteRegStr HKLM "Software\metaseoul" "InstallDir" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayName" "${APP}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "Publisher" "metaseoul developers"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\metaseoul-gui.exe"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoRepair" 1
  SetShellVarContext all
  CreateDirectory "$SMPROGRAMS\${APP}"
  ; metaseoul-gui.exe: the same program without a console window; metaseoul.exe is the command line's
  CreateShortcut "$SMPROGRAMS\${APP}\${APP} - City Hall.lnk" "$INSTDIR\metaseoul-gui.exe" "play city-hall"
  CreateShortcut "$SMPROGRAMS\${APP}\${APP} - Gwanghwamun.lnk" "$INSTDIR\metaseoul-gui.exe" "play gwanghwamun"
  CreateShortcut "$SMPROGRAMS\${APP}\Uninstall ${APP}.lnk" "$INSTDIR\uninstall.exe"
SectionEnd

Section "Uninstall"
  SetShellVarContext all
  RMDir /r "$SMPROGRAMS\${APP}"
  RMDir /r "$INSTDIR"
  DeleteRegKey HKLM "${UNINSTALL_KEY}"
  DeleteRegKey HKLM "Software\metaseoul"
SectionEnd
